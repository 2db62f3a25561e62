package redisstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/ctibridge/ctibridge/store"
	"github.com/ctibridge/ctibridge/tapi"
)

// Load returns the PBX's lines, calls, handle counter and log position, read atomically.
func (s *Store) Load(ctx context.Context, pbx string) (store.Snapshot, error) {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return store.Snapshot{}, err
	}
	seen := s.seen(pbx)
	v, err := loadScript.Run(ctx, s.critical, []string{k.meta(), k.lines(), k.calls(), k.log()},
		newEpoch(), seen.Epoch, strconv.FormatUint(seen.Offset, 10)).Result()
	if err != nil {
		return store.Snapshot{}, s.fail("load", pbx, err)
	}
	snap, err := decodeSnapshot(v)
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("redisstore: load %s: %w", pbx, err)
	}
	s.saw(pbx, snap.Position)
	return snap, nil
}

func decodeSnapshot(v any) (store.Snapshot, error) {
	var snap store.Snapshot
	a, err := replyArray(v, 5)
	if err != nil {
		return snap, err
	}
	if snap.Position.Epoch, err = replyString(a[0]); err != nil {
		return snap, err
	}
	if snap.Position.Offset, err = replyUint(a[1]); err != nil {
		return snap, err
	}
	if snap.NextHandle, err = replyUint(a[2]); err != nil {
		return snap, err
	}
	if snap.Lines, err = decodeJSONList[tapi.Line]("line", a[3]); err != nil {
		return snap, err
	}
	if snap.Calls, err = decodeJSONList[tapi.Call]("call", a[4]); err != nil {
		return snap, err
	}
	// Hash order is arbitrary; a stable order makes snapshots comparable and readable.
	slices.SortFunc(snap.Lines, func(x, y tapi.Line) int { return strings.Compare(x.Name, y.Name) })
	slices.SortFunc(snap.Calls, func(x, y tapi.Call) int { return strings.Compare(string(x.Handle), string(y.Handle)) })
	return snap, nil
}

// LoadLines returns the named lines' state, the calls on them and the PBX's position, read
// by one script.
func (s *Store) LoadLines(ctx context.Context, pbx string, lines []string) (store.Snapshot, error) {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return store.Snapshot{}, err
	}
	seen := s.seen(pbx)
	args := make([]any, 0, 3+len(lines))
	args = append(args, newEpoch(), seen.Epoch, strconv.FormatUint(seen.Offset, 10))
	want := make(map[string]bool, len(lines))
	for _, l := range lines {
		if !want[l] {
			want[l] = true
			args = append(args, l)
		}
	}
	v, err := loadLinesScript.Run(ctx, s.critical, []string{k.meta(), k.lines(), k.calls(), k.log()}, args...).Result()
	if err != nil {
		return store.Snapshot{}, s.fail("load lines", pbx, err)
	}
	snap, err := decodeSnapshot(v)
	if err != nil {
		return store.Snapshot{}, fmt.Errorf("redisstore: load lines of %s: %w", pbx, err)
	}
	calls := snap.Calls[:0]
	for _, c := range snap.Calls {
		if want[c.Line] {
			calls = append(calls, c)
		}
	}
	snap.Calls = calls
	s.saw(pbx, snap.Position)
	return snap, nil
}

// Position returns the log's epoch and last offset.
func (s *Store) Position(ctx context.Context, pbx string) (store.Position, error) {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return store.Position{}, err
	}
	seen := s.seen(pbx)
	v, err := positionScript.Run(ctx, s.client, []string{k.meta(), k.log()}, newEpoch(),
		seen.Epoch, strconv.FormatUint(seen.Offset, 10)).Result()
	if err != nil {
		return store.Position{}, s.fail("position", pbx, err)
	}
	var p store.Position
	a, err := replyArray(v, 2)
	if err == nil {
		p.Epoch, err = replyString(a[0])
	}
	if err == nil {
		p.Offset, err = replyUint(a[1])
	}
	if err != nil {
		return store.Position{}, fmt.Errorf("redisstore: position %s: %w", pbx, err)
	}
	s.saw(pbx, p)
	return p, nil
}

// Replay returns entries with offset > after, oldest first, at most limit (0: all).
func (s *Store) Replay(ctx context.Context, pbx, epoch string, after uint64, limit int) ([]store.Entry, error) {
	k, err := s.beginPBX(ctx, pbx)
	if err != nil {
		return nil, err
	}
	if limit < 0 {
		return nil, fmt.Errorf("redisstore: replay %s: negative limit %d", pbx, limit)
	}
	seen := s.seen(pbx)
	v, err := replayScript.Run(ctx, s.client, []string{k.meta(), k.log()},
		newEpoch(), epoch, strconv.FormatUint(after, 10), limit, seen.Epoch, strconv.FormatUint(seen.Offset, 10)).Result()
	if err != nil {
		return nil, s.fail("replay", pbx, err)
	}
	entries, err := decodeReplay(&s.local, pbx, epoch, after, limit, v)
	if err != nil && !errors.Is(err, store.ErrEpochChanged) && !errors.Is(err, store.ErrCursorTooOld) {
		return nil, fmt.Errorf("redisstore: replay %s: %w", pbx, err)
	}
	return entries, err
}

func decodeReplay(local *localEvents, pbx, epoch string, after uint64, limit int, v any) ([]store.Entry, error) {
	a, err := replyArray(v, 2)
	if err != nil {
		return nil, err
	}
	status, err := replyInt(a[0])
	if err != nil {
		return nil, err
	}
	current, err := replyString(a[1])
	if err != nil {
		return nil, err
	}
	switch status {
	case 0:
		return nil, fmt.Errorf("redisstore: replay %s from epoch %q: log epoch is %q: %w",
			pbx, epoch, current, store.ErrEpochChanged)
	case 2:
		oldest := "?"
		if len(a) > 2 {
			oldest = fmt.Sprint(a[2])
		}
		return nil, fmt.Errorf("redisstore: replay %s after offset %d: oldest retained offset is %s: %w",
			pbx, after, oldest, store.ErrCursorTooOld)
	}
	if len(a) < 3 {
		return nil, fmt.Errorf("unexpected replay reply %v", v)
	}
	return decodeStreamEntries(local, pbx, current, after, limit, a[2])
}

// Apply writes the batch in one fenced script call.
func (s *Store) Apply(ctx context.Context, pbx string, fence store.Fence, b store.Batch) (store.Appended, error) {
	if err := s.begin(ctx); err != nil {
		return store.Appended{}, err
	}
	if err := checkPBX(pbx); err != nil {
		return store.Appended{}, err
	}
	candidate := s.apply.takeEpoch(pbx)
	call, err := s.applyArgs(pbx, fence, candidate, &b)
	if err != nil {
		s.apply.returnEpoch(pbx, candidate)
		return store.Appended{}, err
	}
	evJSON := call.events
	expect := call.seen // what the batch's head says (applyScript)
	if expect.Epoch != "" && len(b.Events) > 0 {
		s.local.put(pbx, expect.Epoch, written{write: b.ID, first: expect.Offset + 1}, b.Events, evJSON)
	}
	v, err := call.run(ctx, s.critical)
	call.release() // the arguments were written (go-redis writes them before it returns)
	if err != nil {
		return store.Appended{}, s.fail("apply", pbx, err)
	}
	a, err := replyArray(v, 1)
	if err != nil {
		return store.Appended{}, fmt.Errorf("redisstore: apply %s: %w", pbx, err)
	}
	if ok, _ := replyInt(a[0]); ok == 0 {
		return store.Appended{}, fmt.Errorf("redisstore: apply %s as %q with token %d: %w", pbx, fence.Owner, fence.Token, store.ErrFenced)
	}
	if len(a) < 4 {
		return store.Appended{}, fmt.Errorf("redisstore: apply %s: unexpected reply %v", pbx, v)
	}
	epoch, err := replyString(a[1])
	if err != nil {
		return store.Appended{}, fmt.Errorf("redisstore: apply %s: %w", pbx, err)
	}
	if epoch != candidate {
		s.apply.returnEpoch(pbx, candidate)
	}
	first, err := replyUint(a[2])
	if err != nil {
		return store.Appended{}, fmt.Errorf("redisstore: apply %s: %w", pbx, err)
	}
	last, err := replyUint(a[3])
	if err != nil {
		return store.Appended{}, fmt.Errorf("redisstore: apply %s: %w", pbx, err)
	}
	s.saw(pbx, store.Position{Epoch: epoch, Offset: last})
	if len(b.Journal) > 0 {
		s.registerHistory(ctx, pbx, epoch)
	}
	if len(b.Events) == 0 {
		return store.Appended{}, nil
	}
	if epoch != expect.Epoch || first != expect.Offset+1 {
		s.local.put(pbx, epoch, written{write: b.ID, first: first}, b.Events, evJSON)
	}
	return store.AppendedAt(epoch, first, len(b.Events)), nil
}

// applyCall is one run of the apply script: the command, whose ARGV is args, and each
// event's JSON as tapi's encoder wrote it (nil where json.Marshal had to), which outlives the
// call (the local ring, store.Entry.JSON). The other JSON arguments are cut from a pooled
// buffer that release returns.
type applyCall struct {
	cmd     []any // EVALSHA (or EVAL), the script, the number of KEYS, KEYS, ARGV
	args    []any // ARGV, in cmd
	events  [][]byte
	seen    store.Position // the writer's expectation: the batch's head is its next offset
	scratch *scratch
}

// The apply script's command names and scripts, boxed once.
var (
	evalSHA   any = "evalsha"
	evalSrc   any = "eval"
	applySHA  any = applyScript.Hash()
	applyBody any = applyLua
)

// run runs the script by EVALSHA, and by EVAL when Redis does not have it (a restart or a
// failover), as redis.Script.Run does: Redis answers NOSCRIPT without running anything.
func (c *applyCall) run(ctx context.Context, r interface {
	Process(ctx context.Context, cmd redis.Cmder) error
}) (any, error) {
	c.cmd[0], c.cmd[1] = evalSHA, applySHA
	v, err := onceCmd(ctx, r, c.cmd)
	if err != nil && redis.HasErrorPrefix(err, "NOSCRIPT") {
		c.cmd[0], c.cmd[1] = evalSrc, applyBody
		v, err = onceCmd(ctx, r, c.cmd)
	}
	return v, err
}

// noRetryCmd is a command go-redis sends at most once. By default it sends a command again
// when the connection fails after writing it (EOF, reset, a read timeout): the write may have
// run, and the apply script would then append the batch a second time at new offsets and
// answer for the copy of an unnamed batch (TestApplyLostReplyIsNotRetried). Such a write
// must fail instead, its outcome unknown to the caller, who may send it again under its
// store.Batch.ID: the script then answers with the first write's offsets (the engine names
// every write). go-redis still retries when it closed the connection before the command
// reached it, and follows MOVED and ASK.
type noRetryCmd struct{ *redis.Cmd }

// NoRetry tells go-redis not to send the command again.
func (noRetryCmd) NoRetry() bool { return true }

// onceCmd runs the command args once (see noRetryCmd) and returns its reply.
func onceCmd(ctx context.Context, r interface {
	Process(ctx context.Context, cmd redis.Cmder) error
}, args []any) (any, error) {
	cmd := noRetryCmd{redis.NewCmd(ctx, args...)}
	_ = r.Process(ctx, cmd) // the error is the command's too
	return cmd.Result()
}

// applyArgs validates the batch and builds the script's command.
func (s *Store) applyArgs(pbx string, fence store.Fence, candidate string, b *store.Batch) (applyCall, error) {
	fail := func(format string, a ...any) (applyCall, error) {
		return applyCall{}, fmt.Errorf("redisstore: apply %s: "+format, append([]any{pbx}, a...)...)
	}
	ak := s.apply.keysOf(pbx, s.opts.KeyPrefix)
	head := 3 + len(ak.keys)
	cmd := make([]any, head, head+17+2*len(b.Lines)+2*len(b.Calls)+len(b.RemovedCalls)+1+4*len(b.Journal))
	cmd[2] = len(ak.keys)
	copy(cmd[3:], ak.keys)
	// Numbers go as they are (go-redis writes their decimal text): a string made of one
	// would cost an allocation more.
	args := append(cmd[head:], fence.Owner, fence.Token, candidate,
		s.opts.MaxLogLen, s.opts.HistoryMaxRecords, b.NextHandle, ak.channel,
		len(b.Lines), len(b.Calls), len(b.RemovedCalls), len(b.Events), len(b.Journal))
	seen := s.seen(pbx)
	args = append(args, seen.Epoch, seen.Offset,
		store.IndexTime(time.Now().Add(-s.opts.HistoryMaxAge)), historyTrimAllowance)
	call := applyCall{seen: seen, scratch: scratchBufs.Get().(*scratch)}
	enc := jsonArgs{buf: call.scratch.buf[:0], times: &call.scratch.times}
	slots := &call.scratch.slots
	slots.reserve(1+len(b.Lines)+len(b.Calls)+len(b.RemovedCalls)+2*len(b.Journal),
		len(b.Lines)+len(b.Calls)+2*len(b.Journal))
	args = append(args, slots.str(b.ID))
	defer func() { call.scratch.buf = enc.buf }() // the buffer as grown, for release
	for i := range b.Lines {
		l := &b.Lines[i]
		if l.Name == "" {
			return fail("line %d has no name", i)
		}
		js, _, err := addJSON(&enc, l)
		if err != nil {
			return fail("encode line %s: %v", l.Name, err)
		}
		args = append(args, slots.str(l.Name), slots.json(js))
	}
	for i := range b.Calls {
		c := &b.Calls[i]
		if c.Handle == "" {
			return fail("call %d has no handle", i)
		}
		js, _, err := addJSON(&enc, c)
		if err != nil {
			return fail("encode call %s: %v", c.Handle, err)
		}
		args = append(args, slots.str(string(c.Handle)), slots.json(js))
	}
	for _, h := range b.RemovedCalls {
		args = append(args, slots.str(string(h)))
	}
	if len(b.Events) > 0 {
		var err error
		if call.events, args, err = addEvents(&enc, args, seen, b.ID, b.Events, &call.scratch.perEvent); err != nil {
			return fail("%v", err)
		}
	}
	// The records' id/JSON pairs, then their handle/member pairs (applyScript).
	base, nj := len(args), len(b.Journal)
	args = args[:base+4*nj]
	var j store.JournalEntry // one copy for all records: its address escapes (addJSON)
	var err error
	for i := range b.Journal {
		j = b.Journal[i]
		// The index member goes into the pooled buffer, as the JSON does: a string of its
		// own was an allocation per record.
		start := len(enc.buf)
		if enc.buf, err = store.AppendCheckedIndex(enc.buf, pbx, &j); err != nil {
			return fail("record %d: %v", i, err)
		}
		member := enc.buf[start:len(enc.buf):len(enc.buf)]
		j.PBX = pbx
		js, _, err := addJSON(&enc, &j)
		if err != nil {
			return fail("encode record %d: %v", i, err)
		}
		args[base+2*i], args[base+2*i+1] = slots.str(j.ID), slots.json(js)
		args[base+2*nj+2*i], args[base+2*nj+2*i+1] = slots.str(string(j.Handle)), slots.json(member)
	}
	if cap(args) != cap(cmd)-head { // grown apart from cmd (the capacity above should hold it)
		cmd = append(cmd[:head:head], args...)
		args = cmd[head:]
	}
	call.cmd, call.args = cmd[:head+len(args)], args
	return call, nil
}

// addEvents encodes the events and appends them to args as one argument, the batch as the
// script publishes it (feed.go): the epoch and first offset the writer expects (seen's
// next) and the write's ID (publishedWrite), then each event's JSON, a line each. It returns each event's JSON as tapi's encoder
// wrote it (nil where json.Marshal had to), cut from that argument. The argument is a block
// of its own apart from the pooled buffer (the local ring and the entries keep it), and the
// events are encoded straight into it: encoded in the pooled buffer and copied, the copy of an
// overloaded pipeline's batches (megabytes, out of the caches) was a third of the writing.
// perEvent is the bytes per event of the scratch's last batch, the block's estimate (kept up).
func addEvents(enc *jsonArgs, args []any, seen store.Position, write string, evs []tapi.Event, perEvent *int) ([][]byte, []any, error) {
	pooled := enc.buf
	defer func() { enc.buf = pooled }()
	guess := *perEvent
	if guess == 0 {
		guess = firstEventGuess
	}
	enc.buf = make([]byte, 0, len(seen.Epoch)+23+len(write)+len(evs)*(guess+guess/16+1))
	enc.buf = append(enc.buf, seen.Epoch...)
	enc.buf = append(enc.buf, '\n')
	enc.buf = strconv.AppendUint(enc.buf, seen.Offset+1, 10)
	if publishedWrite(write) {
		enc.buf = append(enc.buf, ' ')
		enc.buf = append(enc.buf, write...)
	}
	head := len(enc.buf)
	js := make([][]byte, len(evs))
	var marshalled []int // rare: events whose JSON json.Marshal made
	for i := range evs {
		enc.buf = append(enc.buf, '\n')
		b, own, err := addJSON(enc, &evs[i])
		if err != nil {
			return nil, args, fmt.Errorf("encode event %d (%s): %v", i, evs[i].Type, err)
		}
		if !own {
			enc.buf = append(enc.buf, b...)
			marshalled = append(marshalled, i)
		}
		js[i] = b // for its length: the block may still move as it grows
	}
	block := enc.buf
	at := head
	for i, e := range js {
		at++ // the newline before it
		js[i] = block[at : at+len(e) : at+len(e)]
		at += len(e)
	}
	for _, i := range marshalled {
		js[i] = nil
	}
	if len(evs) > 0 {
		*perEvent = (len(block) - head) / len(evs)
	}
	return js, append(args, block), nil
}

// publishedWrite reports whether the batch's head names the write (store.Batch.ID): a named
// write whose ID is one line (applyScript).
func publishedWrite(write string) bool {
	return write != "" && !strings.Contains(write, "\n")
}

// firstEventGuess is the block's estimate of an event's bytes before a scratch has seen a batch.
const firstEventGuess = 256

// release gives the pooled buffer back once the script's arguments are no longer needed.
func (c *applyCall) release() {
	if c.scratch != nil && cap(c.scratch.buf) <= maxScratch {
		c.scratch.slots.release()
		scratchBufs.Put(c.scratch)
	}
	c.scratch = nil
}

// scratchBufs are the JSON buffers of the applies in flight (one per PBX at a time). An
// overloaded pipeline writes batches of up to 2,048 events with their calls, a few MiB; a
// buffer grown beyond maxScratch (a resync's thousands of lines) is left to the GC.
// Each keeps the seconds of the times it wrote (tapi.TimeCache): a batch's events and calls
// carry times of the same few seconds, which are then formatted once.
var scratchBufs = sync.Pool{New: func() any { return &scratch{buf: make([]byte, 0, 16<<10)} }}

type scratch struct {
	buf   []byte
	times tapi.TimeCache
	slots applySlots // the command's arguments that point into buf, and the strings beside them
	// perEvent is the bytes of an event's JSON in the last batch, the estimate of the next
	// batch's block (addEvents).
	perEvent int
}

const maxScratch = 4 << 20

// jsonArgs encodes the JSON arguments of one Apply into one growing buffer, with the tapi
// encoders that write json.Marshal's bytes without reflection: a batch's lines, calls and events
// cost a few allocations instead of several each. A buffer that grows leaves the arguments cut
// from it in the old array, unchanged.
type jsonArgs struct {
	buf   []byte
	times *tapi.TimeCache
}

// jsonAppender is what tapi's and store's encoders have: json.Marshal's bytes appended to b.
type jsonAppender interface {
	AppendJSON(b []byte) ([]byte, error)
}

// cachedAppender is what tapi's event and call encoders have besides: AppendJSON with the
// seconds of the times written kept in a tapi.TimeCache.
type cachedAppender interface {
	AppendJSONCached(b []byte, t *tapi.TimeCache) ([]byte, error)
}

// addJSON appends v's JSON by its encoder and returns it (own: the encoder wrote it); where
// the encoder fails, json.Marshal gives the error (or, should it succeed, the bytes). v is a
// pointer into the batch: neither a copy of the value nor a method value is made per
// argument, which cost an allocation each.
func addJSON[T jsonAppender](j *jsonArgs, v T) (js []byte, own bool, err error) {
	start := len(j.buf)
	var b []byte
	if c, ok := any(v).(cachedAppender); ok {
		b, err = c.AppendJSONCached(j.buf, j.times)
	} else {
		b, err = v.AppendJSON(j.buf)
	}
	if err != nil {
		j.buf = j.buf[:start]
		js, err = json.Marshal(v)
		return js, false, err
	}
	j.buf = b
	return b[start:len(b):len(b)], true, nil
}

// saw records a log position this Store observed, so that Apply can tell when Redis lost
// writes it had seen (see applyScript).
func (s *Store) saw(pbx string, p store.Position) {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	if cur, ok := s.seenPos[pbx]; ok && cur.Epoch == p.Epoch && cur.Offset >= p.Offset {
		return
	}
	s.seenPos[pbx] = p
}

func (s *Store) seen(pbx string) store.Position {
	s.seenMu.Lock()
	defer s.seenMu.Unlock()
	return s.seenPos[pbx]
}
