package questions

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"sort"
)

//go:embed bank/*.yaml
var bankFS embed.FS

// BuiltinSets parses the built-in bank embedded in the binary, one set per
// area. A problem in it is a bug caught by the package's tests.
func BuiltinSets() ([]*Set, error) {
	names, err := fs.Glob(bankFS, "bank/*.yaml")
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	sets := make([]*Set, 0, len(names))
	for _, name := range names {
		data, err := bankFS.ReadFile(name)
		if err != nil {
			return nil, err
		}
		set, err := ParseYAML(path.Join("questions", name), data)
		if err != nil {
			return nil, fmt.Errorf("built-in bank: %w", err)
		}
		sets = append(sets, set)
	}
	return sets, nil
}

// Hash returns a digest of everything a question's author wrote, so that an
// import can tell an unchanged question from an edited one.
func (q *Question) Hash() string {
	c := *q
	c.ID, c.Set, c.OwnerID, c.ContentHash, c.Retired = 0, "", 0, "", false
	c.CreatedAt, c.UpdatedAt = zeroTime, zeroTime
	data, err := json.Marshal(&c)
	if err != nil {
		// Every field of a validated question marshals; a failure here means
		// a value YAML decoded that JSON cannot hold, so never match it.
		return "unhashable:" + err.Error()
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}
