// Constants the C helper shares with helper.go, which checks they agree.
#ifndef ONSITE_BOXHELPER_H
#define ONSITE_BOXHELPER_H

#define ONSITE_HELPER_ARG "__onsite_sandbox_helper"
#define ONSITE_FD_CONFIG 3
#define ONSITE_FD_STATUS 4
#define ONSITE_INSIDE_ID 1000
#define ONSITE_NICENESS 10

static inline const char *onsite_helper_arg(void) { return ONSITE_HELPER_ARG; }

#endif
