package store

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/mattn/go-sqlite3"
	"github.com/onsite-dev/onsite/questions"
)

// ankiDriver is go-sqlite3 with the "unicase" collation that Anki's tables
// name (notetypes, fields, decks), so that no statement on them fails for
// want of it.
const ankiDriver = "sqlite3_anki"

var registerAnkiDriver sync.Once

func useAnkiDriver() {
	registerAnkiDriver.Do(func() {
		sql.Register(ankiDriver, &sqlite3.SQLiteDriver{ConnectHook: func(c *sqlite3.SQLiteConn) error {
			return c.RegisterCollation("unicase", func(a, b string) int {
				return strings.Compare(strings.ToLower(a), strings.ToLower(b))
			})
		}})
	})
}

// ankiMaxValueBytes bounds one value read from a collection: a note's
// fields together, or the JSON of its note types.
const ankiMaxValueBytes = 64 << 20

// ankiDSN opens path read-only and immutable: SQLite neither writes to it
// nor creates a journal, WAL or lock beside it.
func ankiDSN(path string) string {
	path = strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return "file:" + path + "?mode=ro&immutable=1"
}

// ReadAnkiCollection reads the notes, note types and decks of the Anki
// collection in the SQLite file at path, which it never modifies; it is the
// questions.AnkiReader of ParseApkg. It reads schema 11 (Anki 2.1.x before
// 2.1.28, and every "Support older Anki versions" export), whose note types
// and decks are JSON in the col table, and schema 15 to 18, whose are in
// the notetypes, fields and decks tables. It stops after
// questions.MaxAnkiNotes+1 notes.
func ReadAnkiCollection(ctx context.Context, path string) (*questions.AnkiCollection, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	useAnkiDriver()
	db, err := sql.Open(ankiDriver, ankiDSN(path))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("not an Anki collection: %w", err)
	}
	defer conn.Close()
	// A collection is outside input: its schema's views and triggers must
	// not call functions with side effects, and a damaged file must not
	// make SQLite read values of a gigabyte from a loop of pages.
	if _, err := conn.ExecContext(ctx, `PRAGMA trusted_schema = OFF`); err != nil {
		return nil, fmt.Errorf("not an Anki collection: %w", err)
	}
	if err := conn.Raw(func(dc any) error {
		if c, ok := dc.(*sqlite3.SQLiteConn); ok {
			c.SetLimit(sqlite3.SQLITE_LIMIT_LENGTH, ankiMaxValueBytes)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	info, err := os.Stat(path)
	if err != nil {
		return nil, err
	}

	tables := map[string]bool{}
	rows, err := conn.QueryContext(ctx, `SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		return nil, fmt.Errorf("not an Anki collection: %w", err)
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("not an Anki collection: %w", err)
		}
		tables[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("not an Anki collection: %w", err)
	}
	if !tables["notes"] {
		return nil, errors.New("not an Anki collection: no notes table")
	}

	col := &questions.AnkiCollection{NoteTypes: map[int64]questions.AnkiNoteType{}, Decks: map[int64]string{}}
	switch {
	case tables["notetypes"] && tables["fields"] && tables["decks"]:
		err = readAnkiTypes18(ctx, conn, col)
	case tables["col"]:
		err = readAnkiTypes11(ctx, conn, col)
	default:
		err = errors.New("no col table and no notetypes table")
	}
	if err != nil {
		return nil, fmt.Errorf("not an Anki collection: %w", err)
	}
	if err := readAnkiNotes(ctx, conn, col, info.Size()); err != nil {
		return nil, fmt.Errorf("not an Anki collection: notes: %w", err)
	}
	if tables["cards"] {
		if err := readAnkiCardDecks(ctx, conn, col); err != nil {
			return nil, fmt.Errorf("not an Anki collection: cards: %w", err)
		}
	}
	return col, nil
}

// readAnkiTypes11 reads note types and decks from the JSON of schema 11's
// col table.
func readAnkiTypes11(ctx context.Context, conn *sql.Conn, col *questions.AnkiCollection) error {
	var models, decks []byte
	err := conn.QueryRowContext(ctx, `SELECT models, decks FROM col LIMIT 1`).Scan(&models, &decks)
	if errors.Is(err, sql.ErrNoRows) {
		return errors.New("the col table is empty")
	}
	if err != nil {
		return fmt.Errorf("col: %w", err)
	}
	var types map[string]struct {
		Name string        `json:"name"`
		Type any           `json:"type"` // 1 for cloze
		Flds []ankiField11 `json:"flds"`
	}
	if len(models) > 0 {
		if err := json.Unmarshal(models, &types); err != nil {
			return fmt.Errorf("col.models: %w", err)
		}
	}
	for key, m := range types {
		id, err := strconv.ParseInt(key, 10, 64)
		if err != nil {
			continue
		}
		t := questions.AnkiNoteType{ID: id, Name: m.Name, Cloze: jsonNumber(m.Type) == 1}
		flds := slices.Clone(m.Flds)
		slices.SortStableFunc(flds, func(a, b ankiField11) int { return cmp.Compare(jsonNumber(a.Ord), jsonNumber(b.Ord)) })
		for _, f := range flds {
			t.Fields = append(t.Fields, f.Name)
		}
		col.NoteTypes[id] = t
	}
	var deckMap map[string]struct {
		Name string `json:"name"`
	}
	if len(decks) > 0 {
		if err := json.Unmarshal(decks, &deckMap); err != nil {
			return fmt.Errorf("col.decks: %w", err)
		}
	}
	for key, d := range deckMap {
		if id, err := strconv.ParseInt(key, 10, 64); err == nil {
			col.Decks[id] = d.Name
		}
	}
	return nil
}

// ankiField11 is a field of a note type in schema 11's col.models. Numbers
// are decoded as any: files written by old versions and add-ons vary.
type ankiField11 struct {
	Name string `json:"name"`
	Ord  any    `json:"ord"`
}

// jsonNumber is a decoded JSON number as an integer, -1 for anything else.
func jsonNumber(v any) int64 {
	if f, ok := v.(float64); ok && f == float64(int64(f)) {
		return int64(f)
	}
	return -1
}

// readAnkiTypes18 reads note types, their fields and decks from the tables
// of schema 15 and later. Whether a note type is cloze is only in its
// config, a protobuf message (Notetype.Config, field 1 kind: 0 normal, 1
// cloze); a config that does not decode falls back on the name.
func readAnkiTypes18(ctx context.Context, conn *sql.Conn, col *questions.AnkiCollection) error {
	rows, err := conn.QueryContext(ctx, `SELECT id, name, config FROM notetypes`)
	if err != nil {
		return fmt.Errorf("notetypes: %w", err)
	}
	for rows.Next() {
		var t questions.AnkiNoteType
		var config []byte
		if err := rows.Scan(&t.ID, &t.Name, &config); err != nil {
			rows.Close()
			return fmt.Errorf("notetypes: %w", err)
		}
		switch kind, ok := protoVarint(config, 1); {
		case ok:
			t.Cloze = kind == 1
		case validProto(config):
			// proto3 leaves out a zero kind: a normal note type.
		default:
			t.Cloze = strings.Contains(strings.ToLower(t.Name), "cloze")
		}
		col.NoteTypes[t.ID] = t
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("notetypes: %w", err)
	}

	rows, err = conn.QueryContext(ctx, `SELECT ntid, name FROM fields ORDER BY ntid, ord`)
	if err != nil {
		return fmt.Errorf("fields: %w", err)
	}
	for rows.Next() {
		var ntid int64
		var name string
		if err := rows.Scan(&ntid, &name); err != nil {
			rows.Close()
			return fmt.Errorf("fields: %w", err)
		}
		if t, ok := col.NoteTypes[ntid]; ok {
			t.Fields = append(t.Fields, name)
			col.NoteTypes[ntid] = t
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("fields: %w", err)
	}

	rows, err = conn.QueryContext(ctx, `SELECT id, name FROM decks`)
	if err != nil {
		return fmt.Errorf("decks: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			return fmt.Errorf("decks: %w", err)
		}
		// Schema 15 separates deck names with \x1f where people write ::.
		col.Decks[id] = strings.ReplaceAll(name, "\x1f", "::")
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("decks: %w", err)
	}
	return nil
}

// readAnkiNotes reads the notes, oldest first, stopping one past the limit.
// SQLite stores text as it is, so notes holding more text than the file's
// size are a damaged file that loops over its pages.
func readAnkiNotes(ctx context.Context, conn *sql.Conn, col *questions.AnkiCollection, size int64) error {
	rows, err := conn.QueryContext(ctx, `SELECT id, guid, mid, flds, tags FROM notes ORDER BY id LIMIT ?`, questions.MaxAnkiNotes+1)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var n questions.AnkiNote
		var guid, flds, tags []byte
		if err := rows.Scan(&n.ID, &guid, &n.NoteTypeID, &flds, &tags); err != nil {
			return err
		}
		if size -= int64(len(guid) + len(flds) + len(tags)); size < 0 {
			return errors.New("the file is damaged: its notes hold more text than the file")
		}
		n.GUID = string(guid)
		n.Fields = strings.Split(string(flds), "\x1f")
		n.Tags = strings.Fields(string(tags))
		col.Notes = append(col.Notes, n)
	}
	return rows.Err()
}

// readAnkiCardDecks sets each note's deck to that of its first card.
func readAnkiCardDecks(ctx context.Context, conn *sql.Conn, col *questions.AnkiCollection) error {
	// SQLite takes the bare did from the row where min(ord) is found.
	rows, err := conn.QueryContext(ctx, `SELECT nid, did, min(ord) FROM cards GROUP BY nid`)
	if err != nil {
		return err
	}
	defer rows.Close()
	deckOf := make(map[int64]int64, len(col.Notes))
	for rows.Next() {
		var nid, did int64
		var ord any
		if err := rows.Scan(&nid, &did, &ord); err != nil {
			return err
		}
		deckOf[nid] = did
	}
	if err := rows.Err(); err != nil {
		return err
	}
	for i := range col.Notes {
		col.Notes[i].DeckID = deckOf[col.Notes[i].ID]
	}
	return nil
}

// protoVarint finds the last varint value of a field in a protobuf message,
// as proto3 reads it; ok is false when the field is absent or the message
// is malformed.
func protoVarint(b []byte, field uint64) (v uint64, ok bool) {
	err := questions.WalkProtobuf(b, func(f, wire, x uint64) {
		if f == field && wire == 0 {
			v, ok = x, true
		}
	})
	if err != nil {
		return 0, false
	}
	return v, ok
}

// validProto reports whether b is a well-formed protobuf message.
func validProto(b []byte) bool {
	return questions.WalkProtobuf(b, func(_, _, _ uint64) {}) == nil
}
