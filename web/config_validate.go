package web

// Validate reports the first problem New would refuse c for, after the defaults New applies;
// c itself is not changed. The daemon's --check calls it so that it refuses what start-up
// refuses.
func (c Config) Validate() error {
	if c.Numbering != nil {
		n := make(map[string]Numbering, len(c.Numbering))
		for k, v := range c.Numbering {
			n[k] = v
		}
		c.Numbering = n
	}
	c.applyDefaults()
	return c.validate()
}
