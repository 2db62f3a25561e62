// Package lookup finds the names of telephone numbers for caller ID: the caller, called and
// connected parties of a call get LINECALLPARTYID_NAME from here.
//
// A Source answers for one number. The sources are: Static (a map, e.g. the extension names of
// the configuration), Directory (a CSV or vCard file, reloaded when it changes), LDAP (a
// search filter template against a directory server) and HTTP (a CRM's lookup URL answering
// JSON). Chain asks sources in order; Resolver puts a cache in front of one source with a TTL
// for names found, a shorter one for numbers not found (negative caching), a size bound and
// single-flight (concurrent lookups of one number make one request). Metrics counts lookups by
// source and result and their latency for Prometheus.
//
// Numbers are compared in one form: Normalize strips separators ("+49 (30) 123-45" is
// "+493012345"); Alternates gives the other forms a PBX's numbering makes of one number
// (E.164, national, with the outside-line prefix), so that a directory written in E.164 finds a
// caller the PBX reports in its own form and the other way round.
package lookup
