package web

import (
	"fmt"
	"os"
	"sync/atomic"
	"time"
)

var dbgC [8]atomic.Int64

func init() {
	go func() {
		for range time.Tick(5 * time.Second) {
			fmt.Fprintf(os.Stderr, "DBG growNil=%d growSmall=%d growBig=%d keep=%d dropSpare=%d dropPolicy=%d dropBig=%d takes=%d\n",
				dbgC[0].Load(), dbgC[1].Load(), dbgC[2].Load(), dbgC[3].Load(), dbgC[4].Load(), dbgC[5].Load(), dbgC[6].Load(), dbgC[7].Load())
		}
	}()
}
