package reducer

// Recycle tells the state that the caller is done with the events of every result so far
// (their Call, CallState and CallInfo values): the state hands their memory out again for
// the events of its next results (tapi.Slabs.Recycle). The pipeline calls it once a batch is
// in the store and the view, which keep copies of their own.
func (s *State) Recycle() { s.slabs.Recycle() }
