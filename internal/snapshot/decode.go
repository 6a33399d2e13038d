package snapshot

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// The reader of snapshot files: a hand-written JSON decoder that reads format 2 object by object
// from a buffered stream, so that a comparison holds one object of a file at a time, and
// snapshot files of earlier formats through encoding/json.

// OpenStream opens a snapshot file as a stream (gzip-compressed when its name ends in .gz). The
// caller closes it. A file of format 1 is read whole first; an error names the file.
func OpenStream(path string, limit int64) (Stream, io.Closer, error) {
	f, r, err := open(path, limit)
	if err != nil {
		return nil, nil, err
	}
	st, err := NewStream(r)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: %w", path, err)
	}
	return &namedStream{Stream: st, path: path}, f, nil
}

// namedStream prefixes a stream's errors with the file's name.
type namedStream struct {
	Stream
	path string
}

func (n *namedStream) Next() (*Object, error) {
	o, err := n.Stream.Next()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", n.path, err)
	}
	return o, nil
}

// open opens a snapshot file for reading, refusing one that is not a regular file or is larger
// than limit bytes (zero: DefaultMaxFileBytes), and decompressing a .gz one.
func open(path string, limit int64) (io.Closer, io.Reader, error) {
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err // names the path and the cause
	}
	st, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, nil, fmt.Errorf("%s is not a regular file", path)
	}
	if st.Size() > limit {
		f.Close()
		return nil, nil, fmt.Errorf("%s is %d bytes, more than the %d a snapshot may have; is it a snapshot written by drift?", path, st.Size(), limit)
	}
	if !strings.HasSuffix(path, ".gz") {
		return f, f, nil
	}
	z, err := gzip.NewReader(f)
	if err != nil {
		f.Close()
		return nil, nil, fmt.Errorf("%s: not a gzip file: %w", path, err)
	}
	// The decompressed size is bounded too: a small bomb must not exhaust memory.
	return closers{z, f}, io.LimitReader(z, limit*20), nil
}

type closers []io.Closer

func (c closers) Close() error {
	var errs []error
	for _, x := range c {
		errs = append(errs, x.Close())
	}
	return errors.Join(errs...)
}

// versionField finds the format version at the start of a file, as drift writes it.
var versionField = regexp.MustCompile(`^\s*\{\s*"format_version"\s*:\s*([0-9]+)`)

// NewStream reads a snapshot from r as a stream. Format 2 is read as it goes; format 1 (whose
// objects array encoding/json reads) is read whole.
func NewStream(r io.Reader) (Stream, error) { return newStream(r, false) }

func newStream(r io.Reader, anyOrder bool) (Stream, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, _ := br.Peek(128)
	if m := versionField.FindSubmatch(head); m != nil && string(m[1]) == "1" {
		s, err := readV1(br)
		if err != nil {
			return nil, err
		}
		return s.Stream(), nil
	}
	d := &decoder{r: br, env: &Snapshot{}, anyOrder: anyOrder}
	if err := d.start(); err != nil {
		return nil, err
	}
	return d, nil
}

// Read reads a whole snapshot, of any format, and normalizes it: objects out of order are sorted
// (a file merged by a version-control tool), fields in any order are read (PostgreSQL's jsonb,
// which the daemon's store keeps snapshots in, reorders them), and objects without a kind or
// key, duplicates and unknown fields are errors.
func Read(r io.Reader) (*Snapshot, error) {
	data, err := io.ReadAll(r)
	if err != nil {
		return nil, err
	}
	// A file drift wrote names its format first; one whose fields were reordered (jsonb) is
	// probed whole for a format 1 file.
	if m := versionField.FindSubmatch(data[:min(len(data), 128)]); m == nil {
		var probe struct {
			FormatVersion int `json:"format_version"`
		}
		if json.Unmarshal(data, &probe) == nil && probe.FormatVersion == 1 {
			return readV1(bytes.NewReader(data))
		}
	}
	st, err := newStream(bytes.NewReader(data), true)
	if err != nil {
		return nil, err
	}
	var objects []Object
	for {
		o, err := st.Next()
		if err != nil {
			return nil, err
		}
		if o == nil {
			break
		}
		objects = append(objects, *o)
	}
	s := *st.Envelope()
	if objects != nil {
		s.Objects = objects
	}
	if err := s.Normalize(); err != nil {
		return nil, err
	}
	return &s, nil
}

// ReadFileLimit reads a snapshot file (gzip-compressed when its name ends in .gz), refusing
// one larger than limit bytes (zero: DefaultMaxFileBytes) before reading it.
func ReadFileLimit(path string, limit int64) (*Snapshot, error) {
	f, r, err := open(path, limit)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	s, err := Read(r)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}

// readV1 reads a format 1 snapshot with encoding/json.
func readV1(r io.Reader) (*Snapshot, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var s Snapshot
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("not a drift snapshot: %w", err)
	}
	if s.Engine == "" {
		return nil, errors.New("snapshot has no engine")
	}
	if err := s.Normalize(); err != nil {
		return nil, err
	}
	s.FormatVersion = FormatVersion // read into the current model
	return &s, nil
}

// decoder reads format 2. It is a Stream: start reads the envelope up to the objects, Next the
// objects one by one, and the end of the objects the rest of the document.
type decoder struct {
	r   *bufio.Reader
	env *Snapshot
	// Where Next is: inside the objects (kind is the table being read, names its attribute
	// names), or done.
	inObjects bool
	kind      string
	names     []string
	inRows    bool
	firstRow  bool
	firstKind bool
	done      bool
	prev      Object // the last object returned, to check the order
	hasPrev   bool
	cur       Object
	queued    []Object // rows read ahead (rowsFirst), handed out before reading on
	seenField map[string]bool
	// anyOrder accepts objects out of order: a whole read sorts them afterwards.
	anyOrder bool
}

func (d *decoder) Envelope() *Snapshot { return d.env }

// start reads the top-level fields up to "objects" (or the end of a document without one).
func (d *decoder) start() error {
	d.seenField = map[string]bool{}
	if err := d.expect('{'); err != nil {
		return fmt.Errorf("not a drift snapshot: %w", err)
	}
	if d.peekByte() == '}' {
		d.r.ReadByte()
		return d.finish()
	}
	return d.fields(true)
}

// fields reads top-level fields until "objects" (when stopAtObjects) or the closing brace.
func (d *decoder) fields(stopAtObjects bool) error {
	for {
		name, err := d.readString()
		if err != nil {
			return err
		}
		if d.seenField[name] {
			return fmt.Errorf("field %q given twice", name)
		}
		d.seenField[name] = true
		if err := d.expect(':'); err != nil {
			return err
		}
		if name == "objects" {
			if !stopAtObjects {
				return errors.New(`"objects" given twice`)
			}
			if err := d.expect('{'); err != nil {
				return fmt.Errorf(`"objects": %w`, err)
			}
			d.inObjects, d.firstKind = true, true
			return nil
		}
		if err := d.envelopeField(name); err != nil {
			return err
		}
		more, err := d.comma('}')
		if err != nil {
			return err
		}
		if !more {
			return d.finish()
		}
	}
}

// envelopeField reads one field of the envelope.
func (d *decoder) envelopeField(name string) error {
	var err error
	switch name {
	case "format_version":
		var n int
		n, err = d.readInt()
		if err == nil && n != FormatVersion {
			err = fmt.Errorf("snapshot format version %d is not supported (this drift reads versions 1 and %d)", n, FormatVersion)
		}
		d.env.FormatVersion = n
	case "target":
		d.env.Target, err = d.readString()
	case "engine":
		d.env.Engine, err = d.readString()
	case "server_version":
		d.env.ServerVersion, err = d.readString()
	case "server_version_num":
		d.env.ServerVersionNum, err = d.readInt()
	case "source":
		err = d.source()
	case "unsupported":
		err = d.unsupported()
	default:
		err = fmt.Errorf("unknown field %q", name)
	}
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}

func (d *decoder) source() error {
	if err := d.expect('{'); err != nil {
		return err
	}
	if d.peekByte() == '}' {
		d.r.ReadByte()
		return nil
	}
	for {
		name, err := d.readString()
		if err != nil {
			return err
		}
		if err := d.expect(':'); err != nil {
			return err
		}
		v, err := d.readString()
		if err != nil {
			return fmt.Errorf("%s: %w", name, err)
		}
		switch name {
		case "kind":
			d.env.Source.Kind = v
		case "checksum":
			d.env.Source.Checksum = v
		case "version":
			d.env.Source.Version = v
		default:
			return fmt.Errorf("unknown field %q", name)
		}
		more, err := d.comma('}')
		if err != nil || !more {
			return err
		}
	}
}

func (d *decoder) unsupported() error {
	if err := d.expect('['); err != nil {
		return err
	}
	if d.peekByte() == ']' {
		d.r.ReadByte()
		return nil
	}
	for {
		var u Unsupported
		if err := d.expect('{'); err != nil {
			return err
		}
		for {
			name, err := d.readString()
			if err != nil {
				return err
			}
			if err := d.expect(':'); err != nil {
				return err
			}
			v, err := d.readString()
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			switch name {
			case "kind":
				u.Kind = v
			case "name":
				u.Name = v
			case "reason":
				u.Reason = v
			default:
				return fmt.Errorf("unknown field %q", name)
			}
			more, err := d.comma('}')
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
		d.env.Unsupported = append(d.env.Unsupported, u)
		more, err := d.comma(']')
		if err != nil || !more {
			return err
		}
	}
}

// finish checks the envelope once the document has been read.
func (d *decoder) finish() error {
	d.done = true
	if d.env.FormatVersion == 0 {
		return errors.New("not a drift snapshot: no format_version")
	}
	if d.env.Engine == "" {
		return errors.New("snapshot has no engine")
	}
	if err := d.skipSpace(); err != nil && !errors.Is(err, io.EOF) {
		return err
	}
	if _, err := d.r.ReadByte(); err == nil {
		return errors.New("data after the snapshot")
	}
	d.env.Normalize() // sorts Unsupported; the envelope has no objects
	return nil
}

// Next returns the next object: rows of the current kind's table, then the next table.
func (d *decoder) Next() (*Object, error) {
	if len(d.queued) > 0 {
		o := d.queued[0]
		d.queued = d.queued[1:]
		return &o, nil
	}
	for !d.done {
		if !d.inObjects {
			// After the objects: the rest of the document.
			more, err := d.comma('}')
			if err != nil {
				return nil, err
			}
			if !more {
				return nil, d.finish()
			}
			if err := d.fields(false); err != nil {
				return nil, err
			}
			continue
		}
		if d.inRows {
			if d.firstRow {
				d.firstRow = false
				if d.peekByte() == ']' {
					d.r.ReadByte()
					d.inRows = false
					continue
				}
			} else {
				more, err := d.comma(']')
				if err != nil {
					return nil, err
				}
				if !more {
					d.inRows = false
					continue
				}
			}
			if err := d.row(); err != nil {
				return nil, fmt.Errorf("%s row: %w", d.kind, err)
			}
			if !d.anyOrder && d.hasPrev && compareObjects(d.prev, d.cur) >= 0 {
				return nil, fmt.Errorf("%s %q after %s %q: %w", d.cur.Kind, d.cur.Key, d.prev.Kind, d.prev.Key, ErrUnsorted)
			}
			d.prev, d.hasPrev = d.cur, true
			o := d.cur
			return &o, nil
		}
		// Between tables: the end of this one, then the next or the end of the objects.
		if d.kind != "" {
			if err := d.expect('}'); err != nil {
				return nil, err
			}
			d.kind = ""
		}
		if d.firstKind {
			d.firstKind = false
			if d.peekByte() == '}' {
				d.r.ReadByte()
				d.inObjects = false
				continue
			}
		} else {
			more, err := d.comma('}')
			if err != nil {
				return nil, err
			}
			if !more {
				d.inObjects = false
				continue
			}
		}
		if err := d.table(); err != nil {
			return nil, err
		}
		if len(d.queued) > 0 {
			o := d.queued[0]
			d.queued = d.queued[1:]
			return &o, nil
		}
	}
	return nil, nil
}

// table reads a kind's name and attribute names, up to its first row.
func (d *decoder) table() error {
	kind, err := d.readString()
	if err != nil {
		return err
	}
	if kind == "" {
		return errors.New("objects: a kind with no name")
	}
	if err := d.expect(':'); err != nil {
		return err
	}
	if err := d.expect('{'); err != nil {
		return err
	}
	first, err := d.readString()
	if err != nil {
		return err
	}
	if first == "rows" && d.anyOrder {
		// Rows before their attribute names (a jsonb round trip): read them whole.
		return d.rowsFirst(kind)
	}
	if first != "attrs" {
		return fmt.Errorf("objects %s: expected \"attrs\" first, found %q", kind, first)
	}
	if err := d.expect(':'); err != nil {
		return err
	}
	names, err := d.readStrings()
	if err != nil {
		return fmt.Errorf("objects %s: attrs: %w", kind, err)
	}
	for i := 1; i < len(names); i++ {
		if names[i-1] >= names[i] {
			return fmt.Errorf("objects %s: attrs are not sorted, or one is given twice", kind)
		}
	}
	if err := d.expect(','); err != nil {
		return err
	}
	if name, err := d.readString(); err != nil || name != "rows" {
		return fmt.Errorf("objects %s: expected \"rows\" after \"attrs\" (%v)", kind, err)
	}
	if err := d.expect(':'); err != nil {
		return err
	}
	if err := d.expect('['); err != nil {
		return err
	}
	d.kind, d.names, d.inRows, d.firstRow = kind, names, true, true
	return nil
}

// rowsFirst reads a table whose rows come before its attribute names: the rows are held until
// the names are known, then handed out by Next.
func (d *decoder) rowsFirst(kind string) error {
	if err := d.expect(':'); err != nil {
		return err
	}
	if err := d.expect('['); err != nil {
		return err
	}
	var rows [][]byte
	if d.peekByte() == ']' {
		d.r.ReadByte()
	} else {
		for {
			raw, err := d.rawValue()
			if err != nil {
				return fmt.Errorf("objects %s: rows: %w", kind, err)
			}
			rows = append(rows, raw)
			more, err := d.comma(']')
			if err != nil {
				return err
			}
			if !more {
				break
			}
		}
	}
	if err := d.expect(','); err != nil {
		return err
	}
	if name, err := d.readString(); err != nil || name != "attrs" {
		return fmt.Errorf("objects %s: expected \"attrs\" after \"rows\" (%v)", kind, err)
	}
	if err := d.expect(':'); err != nil {
		return err
	}
	names, err := d.readStrings()
	if err != nil {
		return fmt.Errorf("objects %s: attrs: %w", kind, err)
	}
	// The held rows are read by a decoder of their own, as one table, then queued.
	var table bytes.Buffer
	table.WriteByte('[')
	for i, r := range rows {
		if i > 0 {
			table.WriteByte(',')
		}
		table.Write(r)
	}
	table.WriteByte(']')
	sub := &decoder{r: bufio.NewReader(&table), env: d.env, anyOrder: true, kind: kind, names: names, inRows: true, firstRow: true}
	if err := sub.expect('['); err != nil {
		return err
	}
	for {
		o, err := sub.nextRow()
		if err != nil {
			return fmt.Errorf("objects %s: %w", kind, err)
		}
		if o == nil {
			break
		}
		d.queued = append(d.queued, *o)
	}
	d.kind, d.names, d.inRows = kind, names, false
	return nil
}

// nextRow reads the next row of the table the decoder is in, or nil at its end.
func (d *decoder) nextRow() (*Object, error) {
	if d.firstRow {
		d.firstRow = false
		if d.peekByte() == ']' {
			d.r.ReadByte()
			return nil, nil
		}
	} else {
		more, err := d.comma(']')
		if err != nil || !more {
			return nil, err
		}
	}
	if err := d.row(); err != nil {
		return nil, err
	}
	o := d.cur
	return &o, nil
}

// rawValue reads one JSON value as its bytes.
func (d *decoder) rawValue() ([]byte, error) {
	if err := d.skipSpace(); err != nil {
		return nil, unexpectedEnd(err)
	}
	var out []byte
	depth, inString, escaped := 0, false, false
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			return nil, unexpectedEnd(err)
		}
		out = append(out, c)
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case inString && c == '"':
			inString = false
		case inString:
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
		case c == ']' || c == '}':
			depth--
		}
		if depth == 0 && !inString {
			if len(out) > 1 || c == '"' || c == ']' || c == '}' {
				return out, nil
			}
		}
		if depth < 0 {
			return nil, errors.New("unbalanced brackets")
		}
	}
}

// row reads one object: [key, parent, values...].
func (d *decoder) row() error {
	if err := d.expect('['); err != nil {
		return err
	}
	text, err := d.readString()
	if err != nil {
		return fmt.Errorf("key: %w", err)
	}
	key, err := ParseKey(text)
	if err != nil {
		return err
	}
	o := Object{Kind: d.kind, Key: key, Parent: key.DefaultParent()}
	for i := 0; ; i++ {
		more, err := d.comma(']')
		if err != nil {
			return fmt.Errorf("%s: %w", text, err)
		}
		if !more {
			break
		}
		v, null, err := d.readNullableString()
		if err != nil {
			return fmt.Errorf("%s: %w", text, err)
		}
		switch {
		case i == 0 && null:
		case i == 0 && v == "":
			o.Parent = Key{}
		case i == 0:
			if o.Parent, err = ParseKey(v); err != nil {
				return fmt.Errorf("%s: parent: %w", text, err)
			}
		case i > len(d.names):
			return fmt.Errorf("%s: more values than the %d attrs", text, len(d.names))
		case !null:
			if o.Attrs == nil {
				o.Attrs = make(Attrs, 0, len(d.names)-i+1)
			}
			o.Attrs = append(o.Attrs, Attr{Name: d.names[i-1], Value: v})
		}
	}
	d.cur = o
	return nil
}

// The tokenizer.

func (d *decoder) skipSpace() error {
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			return err
		}
		if c != ' ' && c != '\n' && c != '\t' && c != '\r' {
			return d.r.UnreadByte()
		}
	}
}

func (d *decoder) peekByte() byte {
	if d.skipSpace() != nil {
		return 0
	}
	b, err := d.r.Peek(1)
	if err != nil {
		return 0
	}
	return b[0]
}

func (d *decoder) expect(want byte) error {
	if err := d.skipSpace(); err != nil {
		return unexpectedEnd(err)
	}
	c, _ := d.r.ReadByte()
	if c != want {
		return fmt.Errorf("expected %q, found %q", want, c)
	}
	return nil
}

// comma reads a comma (more: true) or the closing byte (more: false).
func (d *decoder) comma(closing byte) (bool, error) {
	if err := d.skipSpace(); err != nil {
		return false, unexpectedEnd(err)
	}
	c, _ := d.r.ReadByte()
	switch c {
	case ',':
		return true, nil
	case closing:
		return false, nil
	}
	return false, fmt.Errorf("expected ',' or %q, found %q", closing, c)
}

func unexpectedEnd(err error) error {
	if errors.Is(err, io.EOF) {
		return errors.New("unexpected end of the snapshot")
	}
	return err
}

func (d *decoder) readInt() (int, error) {
	if err := d.skipSpace(); err != nil {
		return 0, unexpectedEnd(err)
	}
	var b []byte
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			break
		}
		if (c < '0' || c > '9') && c != '-' {
			d.r.UnreadByte()
			break
		}
		b = append(b, c)
	}
	n, err := strconv.Atoi(string(b))
	if err != nil {
		return 0, fmt.Errorf("expected a whole number, found %q", b)
	}
	return n, nil
}

func (d *decoder) readStrings() ([]string, error) {
	if err := d.expect('['); err != nil {
		return nil, err
	}
	var out []string
	if d.peekByte() == ']' {
		d.r.ReadByte()
		return out, nil
	}
	for {
		s, err := d.readString()
		if err != nil {
			return nil, err
		}
		out = append(out, s)
		more, err := d.comma(']')
		if err != nil {
			return nil, err
		}
		if !more {
			return out, nil
		}
	}
}

// readNullableString reads a string or null.
func (d *decoder) readNullableString() (string, bool, error) {
	if d.peekByte() == 'n' {
		var lit [4]byte
		if _, err := io.ReadFull(d.r, lit[:]); err != nil || string(lit[:]) != "null" {
			return "", false, errors.New("expected a string or null")
		}
		return "", true, nil
	}
	s, err := d.readString()
	return s, false, err
}

// readString reads a JSON string, unescaping it as encoding/json does (an invalid UTF-8 byte
// or a lone surrogate becomes U+FFFD).
func (d *decoder) readString() (string, error) {
	if err := d.expect('"'); err != nil {
		return "", err
	}
	// The common case: no escapes, all within the buffer.
	if buf, _ := d.r.Peek(d.r.Buffered()); len(buf) > 0 {
		if i := bytes.IndexByte(buf, '"'); i >= 0 && bytes.IndexByte(buf[:i], '\\') < 0 && utf8.Valid(buf[:i]) && noControl(buf[:i]) {
			s := string(buf[:i])
			d.r.Discard(i + 1)
			return s, nil
		}
	}
	var b []byte
	for {
		c, err := d.r.ReadByte()
		if err != nil {
			return "", unexpectedEnd(err)
		}
		switch {
		case c == '"':
			return strings.ToValidUTF8(string(b), "\uFFFD"), nil
		case c < 0x20:
			return "", fmt.Errorf("control character %q in a string", c)
		case c != '\\':
			b = append(b, c)
			continue
		}
		e, err := d.r.ReadByte()
		if err != nil {
			return "", unexpectedEnd(err)
		}
		switch e {
		case '"', '\\', '/':
			b = append(b, e)
		case 'b':
			b = append(b, '\b')
		case 'f':
			b = append(b, '\f')
		case 'n':
			b = append(b, '\n')
		case 'r':
			b = append(b, '\r')
		case 't':
			b = append(b, '\t')
		case 'u':
			r, err := d.hex4()
			if err != nil {
				return "", err
			}
			if utf16.IsSurrogate(r) {
				r2 := utf8.RuneError
				if next, _ := d.r.Peek(2); string(next) == `\u` {
					d.r.Discard(2)
					lo, err := d.hex4()
					if err != nil {
						return "", err
					}
					r2 = utf16.DecodeRune(r, lo)
					if r2 == utf8.RuneError {
						b = utf8.AppendRune(b, utf8.RuneError)
						r2 = lo
					}
				}
				r = r2
			}
			b = utf8.AppendRune(b, r)
		default:
			return "", fmt.Errorf("invalid escape \\%c", e)
		}
	}
}

func (d *decoder) hex4() (rune, error) {
	var h [4]byte
	if _, err := io.ReadFull(d.r, h[:]); err != nil {
		return 0, unexpectedEnd(err)
	}
	n, err := strconv.ParseUint(string(h[:]), 16, 32)
	if err != nil {
		return 0, fmt.Errorf("invalid \\u escape %q", h)
	}
	return rune(n), nil
}

func noControl(b []byte) bool {
	for _, c := range b {
		if c < 0x20 {
			return false
		}
	}
	return true
}
