package migrations

import (
	"bytes"
	"hash/crc32"
)

// utf8BOM is the byte order mark some editors put at the start of a file.
var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// FlywayChecksum computes the checksum Flyway stores in flyway_schema_history.checksum for a
// SQL migration, so that an applied file changed since can be detected.
//
// Flyway reads the file line by line (java.io.BufferedReader.readLine, which drops "\n", "\r\n"
// and "\r"), strips a byte order mark from the first line, and feeds each line's UTF-8 bytes to
// a java.util.zip.CRC32; the stored value is the CRC cast to a signed 32-bit int. Feeding lines
// one after another is the CRC of their concatenation, so this is the IEEE CRC-32 of the content
// with the BOM and every line terminator removed. Line endings therefore never change the
// checksum, exactly as in Flyway. Files are assumed to be valid UTF-8 (Flyway's default
// encoding); Flyway would replace invalid bytes before hashing.
func FlywayChecksum(content []byte) int32 {
	content = bytes.TrimPrefix(content, utf8BOM)
	h := crc32.NewIEEE()
	for len(content) > 0 {
		i := bytes.IndexAny(content, "\r\n")
		if i < 0 {
			h.Write(content)
			break
		}
		h.Write(content[:i])
		content = content[i+1:]
	}
	return int32(h.Sum32())
}
