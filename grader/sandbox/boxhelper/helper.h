// What the C helper and spawner share with each other and with the Go side,
// which takes its constants from here.
#ifndef ONSITE_BOXHELPER_H
#define ONSITE_BOXHELPER_H

#include <stddef.h>
#include <stdint.h>

#define ONSITE_SPAWNER_ARG "__onsite_sandbox_spawner"
#define ONSITE_FD_CONFIG 3
#define ONSITE_FD_STATUS 4
#define ONSITE_FD_SPAWNER 3
#define ONSITE_SPAWN_FILES 5
#define ONSITE_INSIDE_ID 1000
#define ONSITE_NICENESS 10

// onsite_run_helper is the helper (helper.c): it expects stdin, stdout,
// stderr, ONSITE_FD_CONFIG and ONSITE_FD_STATUS open, and never returns.
void onsite_run_helper(void);
// onsite_run_spawner is the spawner (spawner.c); it never returns.
void onsite_run_spawner(void);
size_t onsite_json_string(char *out, size_t cap, const char *s);
// onsite_frame_len reads a frame's 4-byte little-endian length prefix.
static inline uint32_t onsite_frame_len(const unsigned char *b) {
	return (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
}
void onsite_write_all(int fd, const char *buf, size_t len);

#endif
