// Package backoff is the one exponential backoff of the bridge and its clients: the wait
// before each retry doubles from Min up to Max, with jitter so that many parties retrying
// after the same fault (clients of a failed instance, deliverers of a dead receiver) spread
// out instead of retrying in step. See "Exponential Backoff And Jitter" (AWS Architecture
// Blog, 2015) for why full jitter is the default choice.
//
// It lives under tapi because the bridge and its clients share it, and clients link only tapi.
package backoff
