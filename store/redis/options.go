package redisstore

import (
	"errors"
	"fmt"
	"time"

	"github.com/ctibridge/ctibridge/store"
)

// Options configure a Store. Zero values take the documented defaults.
type Options struct {
	// Addrs are "host:port" addresses: one Redis, the Sentinels (with MasterName), or
	// several Cluster nodes. Required.
	Addrs []string
	// MasterName selects Sentinel: the name the Sentinels monitor the master under.
	MasterName string
	// Cluster selects Redis Cluster even with a single seed address (several Addrs without
	// MasterName always mean Cluster).
	Cluster bool
	// Username and Password authenticate to Redis; SentinelPassword to the Sentinels.
	Username         string
	Password         string
	SentinelPassword string
	// DB is the database number (standalone and Sentinel only).
	DB int
	// KeyPrefix starts every key; default "cti".
	KeyPrefix string
	// MaxLogLen is the number of newest events each PBX's log keeps at least (trimming is
	// approximate); default 100000.
	MaxLogLen int
	// HistoryMaxAge and HistoryMaxRecords bound the call history: records are kept this long,
	// and at most this many per PBX; defaults store.DefaultHistoryMaxAge and
	// store.DefaultHistoryMaxRecords.
	HistoryMaxAge     time.Duration
	HistoryMaxRecords int
	// HistoryScan is how many index members one History call reads per PBX at most;
	// default 1000.
	HistoryScan int
	// SubscriberBuffer is how many entries a subscription buffers before the subscriber is
	// dropped as too slow; default 4096, as the memory store (a hub dropped in a burst, such
	// as the line events of a start or resync, replays from the stream: a decode per event).
	SubscriberBuffer int
	// ProbeInterval is how often a subscription compares its position with the stored log
	// to find entries a silently dead PUB/SUB connection missed (read from the stream once
	// they are an interval overdue, so within two); default 1s.
	ProbeInterval time.Duration
	// CommandTimeout bounds SendCommand when its context has no deadline; default 10s.
	CommandTimeout time.Duration
	// PoolSize is the connection pool size per node; 0 leaves go-redis's default.
	PoolSize int
}

// Defaults.
const (
	DefaultKeyPrefix        = "cti"
	DefaultMaxLogLen        = 100000
	DefaultHistoryScan      = 1000
	DefaultSubscriberBuffer = 4096
	DefaultProbeInterval    = time.Second
	DefaultCommandTimeout   = 10 * time.Second
)

// withDefaults validates o and fills in defaults.
func (o Options) withDefaults() (Options, error) {
	if len(o.Addrs) == 0 {
		return o, errors.New("redisstore: options: Addrs is empty; give at least one host:port")
	}
	for i, a := range o.Addrs {
		if a == "" {
			return o, fmt.Errorf("redisstore: options: Addrs[%d] is empty", i)
		}
	}
	type positive struct {
		name string
		v    int64
	}
	for _, p := range []positive{{"MaxLogLen", int64(o.MaxLogLen)}, {"HistoryMaxRecords", int64(o.HistoryMaxRecords)},
		{"HistoryMaxAge", int64(o.HistoryMaxAge)}, {"HistoryScan", int64(o.HistoryScan)},
		{"SubscriberBuffer", int64(o.SubscriberBuffer)}, {"ProbeInterval", int64(o.ProbeInterval)},
		{"CommandTimeout", int64(o.CommandTimeout)}, {"DB", int64(o.DB)}, {"PoolSize", int64(o.PoolSize)}} {
		if p.v < 0 {
			return o, fmt.Errorf("redisstore: options: %s is negative (%d); use 0 for the default", p.name, p.v)
		}
	}
	if o.KeyPrefix == "" {
		o.KeyPrefix = DefaultKeyPrefix
	}
	if o.MaxLogLen == 0 {
		o.MaxLogLen = DefaultMaxLogLen
	}
	if o.HistoryMaxAge == 0 {
		o.HistoryMaxAge = store.DefaultHistoryMaxAge
	}
	if o.HistoryMaxRecords == 0 {
		o.HistoryMaxRecords = store.DefaultHistoryMaxRecords
	}
	if o.HistoryScan == 0 {
		o.HistoryScan = DefaultHistoryScan
	}
	if o.SubscriberBuffer == 0 {
		o.SubscriberBuffer = DefaultSubscriberBuffer
	}
	if o.ProbeInterval == 0 {
		o.ProbeInterval = DefaultProbeInterval
	}
	if o.CommandTimeout == 0 {
		o.CommandTimeout = DefaultCommandTimeout
	}
	return o, nil
}
