// Package wordbytes holds the word-at-a-time byte helpers that the bridge's hand-written
// encoders share (tapi's JSON writer, the store's history index): reading 8 or 4 bytes of a
// string in one load, and the digit pairs for writing numbers two digits at a time. It lives
// under tapi, whose wire encoder it serves first, as tapi/backoff does for the retry policy.
package wordbytes
