// Package records defines the records every compatibility scenario produces and checks, as
// test/compat/helpers/compat-records.ts and clients/compat_records.py do: record i has key
// "key-<i>", a null value when i%10 == 3, otherwise "value-<i>-" padded with i%37 x's, and the
// headers trace=compat and lang=any where the message format has headers.
package records

import (
	"fmt"
	"os"
	"strings"
)

// Header is one record header.
type Header struct {
	Key   string
	Value []byte
}

// Headers are the same for every record.
var Headers = []Header{{"trace", []byte("compat")}, {"lang", []byte("any")}}

// Record returns record i's key and value (nil for a null value).
func Record(i int) ([]byte, []byte) {
	key := []byte(fmt.Sprintf("key-%d", i))
	if i%10 == 3 {
		return key, nil
	}
	return key, []byte(fmt.Sprintf("value-%d-%s", i, strings.Repeat("x", i%37)))
}

// Line formats a consumed record as the tests compare it; NULL stands for a null key or value.
func Line(offset int64, key, value []byte, headers []Header) string {
	text := func(b []byte) string {
		if b == nil {
			return "NULL"
		}
		return string(b)
	}
	hs := make([]string, len(headers))
	for i, h := range headers {
		hs[i] = h.Key + "=" + text(h.Value)
	}
	return fmt.Sprintf("%d\t%s\t%s\t%s\n", offset, text(key), text(value), strings.Join(hs, ","))
}

// Fail prints the error and exits non-zero.
func Fail(format string, args ...interface{}) {
	fmt.Fprintf(os.Stderr, format+"\n", args...)
	os.Exit(1)
}
