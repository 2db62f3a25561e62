package wordbytes

// Load8 returns the first 8 bytes of s, the first in the low byte (one load).
func Load8(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// Load4 returns the first 4 bytes of s, the first in the low byte (one load).
func Load4(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
}

// DigitPairs holds "00" to "99", two digits each: the digits of v (0-99) are
// DigitPairs[2*v] and DigitPairs[2*v+1].
const DigitPairs = "00010203040506070809101112131415161718192021222324252627282930313233343536373839" +
	"404142434445464748495051525354555657585960616263646566676869" +
	"707172737475767778798081828384858687888990919293949596979899"
