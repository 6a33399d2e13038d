package snapshot

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
)

// SameAsFile reports whether the file at path holds exactly the bytes s encodes to, and whether
// it exists. The encoding is compared as it is produced, against the file as it is read, so
// neither is held in memory whole.
func SameAsFile(path string, s *Snapshot) (same, exists bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return false, false, s.Normalize() // a snapshot that cannot be written is an error, not "missing"
	}
	if err != nil {
		return false, false, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	var content io.Reader = f
	if strings.HasSuffix(path, ".gz") {
		// Compressed bytes may differ between compressor versions; the content may not.
		z, err := gzip.NewReader(f)
		if err != nil {
			return false, true, nil // not gzip: not the same, rewrite it
		}
		defer z.Close()
		content = z
	}
	c := &comparer{file: bufio.NewReaderSize(content, 64<<10)}
	err = Encode(c, s)
	if c.err != nil {
		return false, true, fmt.Errorf("reading %s: %w", path, c.err)
	}
	if err != nil && !errors.Is(err, errDiffers) {
		return false, true, err
	}
	if c.differs {
		return false, true, nil
	}
	// Everything written matched; the file must also end where the encoding ended.
	if _, err := c.file.ReadByte(); err == nil {
		return false, true, nil
	} else if !errors.Is(err, io.EOF) {
		return false, true, fmt.Errorf("reading %s: %w", path, err)
	}
	return true, true, nil
}

// errDiffers stops an encoding as soon as it departs from the file it is compared with.
var errDiffers = errors.New("differs from the file")

// comparer is a writer that checks what is written against a file's bytes.
type comparer struct {
	file    *bufio.Reader
	buf     []byte
	differs bool
	err     error // reading the file failed
}

func (c *comparer) Write(p []byte) (int, error) {
	if cap(c.buf) < len(p) {
		c.buf = make([]byte, len(p))
	}
	got := c.buf[:len(p)]
	n, err := io.ReadFull(c.file, got)
	switch {
	case err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF):
		c.err = err
		return 0, err
	case n < len(p) || !bytes.Equal(got, p):
		c.differs = true
		return 0, errDiffers
	}
	return len(p), nil
}

// SameSchema reports whether s and o describe the same schema built from the same source,
// whatever server minor version rendered them: deparser output may change between majors, so
// snapshots of different majors are not the same.
func (s *Snapshot) SameSchema(o *Snapshot) bool {
	if s.Engine != o.Engine || s.Target != o.Target || s.Source != o.Source || s.ServerMajor() != o.ServerMajor() {
		return false
	}
	hs, err1 := s.Hash()
	ho, err2 := o.Hash()
	return err1 == nil && err2 == nil && hs == ho
}
