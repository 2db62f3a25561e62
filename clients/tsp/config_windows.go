//go:build windows && cgo

package main

import (
	"errors"
	"fmt"
	"strconv"
	"time"
	"unsafe"

	"golang.org/x/sys/windows"
	"golang.org/x/sys/windows/registry"

	tspcore "github.com/ctibridge/ctibridge/clients/tsp/core"
)

// configKey is where the provider keeps its settings (HKLM, read by the Telephony service
// account). A subkey named after the permanent provider ID overrides single values.
const configKey = `SOFTWARE\ctibridge\TSP`

// loadConfig reads the configuration for provider id.
func loadConfig(id uint32) (tspcore.Config, error) {
	var c tspcore.Config
	keys := []string{configKey, configKey + `\` + strconv.FormatUint(uint64(id), 10)}
	found := false
	for _, path := range keys {
		k, err := registry.OpenKey(registry.LOCAL_MACHINE, path, registry.QUERY_VALUE)
		if err != nil {
			continue
		}
		found = true
		err = readValues(k, &c)
		k.Close()
		if err != nil {
			return c, fmt.Errorf(`HKLM\%s: %w`, path, err)
		}
	}
	if !found {
		return c, fmt.Errorf(`HKLM\%s is missing; configure with: rundll32 ctibridge.tsp,Configure -urls ws://bridge:8080/ws -token TOKEN`, configKey)
	}
	return c, c.Validate()
}

func readValues(k registry.Key, c *tspcore.Config) error {
	if v, typ, err := k.GetStringsValue(tspcore.RegURLs); err == nil {
		c.URLs = v
	} else if typ == registry.SZ {
		s, _, err := k.GetStringValue(tspcore.RegURLs)
		if err != nil {
			return fmt.Errorf("%s: %w", tspcore.RegURLs, err)
		}
		c.URLs = tspcore.SplitURLs(s)
	}
	if b, _, err := k.GetBinaryValue(tspcore.RegToken); err == nil {
		tok, err := unprotect(b)
		if err != nil {
			return fmt.Errorf("%s: %w", tspcore.RegToken, err)
		}
		c.Token = tok
	}
	if s, _, err := k.GetStringValue(tspcore.RegMode); err == nil {
		c.Mode = tspcore.Mode(s)
	}
	for name, d := range map[string]*time.Duration{tspcore.RegConnectTimeoutMs: &c.ConnectTimeout,
		tspcore.RegOpenTimeoutMs: &c.OpenTimeout, tspcore.RegOutOfServiceAfterMs: &c.OutOfServiceAfter} {
		if v, _, err := k.GetIntegerValue(name); err == nil {
			*d = time.Duration(v) * time.Millisecond
		}
	}
	return nil
}

// saveConfig writes c where loadConfig reads it, the token DPAPI-protected for the machine
// (the Telephony service runs as another account than the administrator who configures it).
func saveConfig(c tspcore.Config) error {
	k, _, err := registry.CreateKey(registry.LOCAL_MACHINE, configKey, registry.SET_VALUE)
	if err != nil {
		return fmt.Errorf(`create HKLM\%s (run as administrator): %w`, configKey, err)
	}
	defer k.Close()
	tok, err := protect(c.Token)
	if err != nil {
		return err
	}
	return errors.Join(
		k.SetStringsValue(tspcore.RegURLs, c.URLs),
		k.SetBinaryValue(tspcore.RegToken, tok),
		k.SetStringValue(tspcore.RegMode, string(c.Mode)),
		k.SetDWordValue(tspcore.RegConnectTimeoutMs, uint32(c.ConnectTimeout/time.Millisecond)),
		k.SetDWordValue(tspcore.RegOpenTimeoutMs, uint32(c.OpenTimeout/time.Millisecond)),
		k.SetDWordValue(tspcore.RegOutOfServiceAfterMs, uint32(c.OutOfServiceAfter/time.Millisecond)),
	)
}

// entropy binds the protected token to this program.
var entropy = []byte("ctibridge TSP token")

func blob(b []byte) *windows.DataBlob {
	if len(b) == 0 {
		return &windows.DataBlob{}
	}
	return &windows.DataBlob{Size: uint32(len(b)), Data: &b[0]}
}

func protect(s string) ([]byte, error) {
	var out windows.DataBlob
	err := windows.CryptProtectData(blob([]byte(s)), nil, blob(entropy), 0, nil,
		windows.CRYPTPROTECT_LOCAL_MACHINE|windows.CRYPTPROTECT_UI_FORBIDDEN, &out)
	if err != nil {
		return nil, fmt.Errorf("CryptProtectData: %w", err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return append([]byte(nil), unsafe.Slice(out.Data, out.Size)...), nil
}

func unprotect(b []byte) (string, error) {
	var out windows.DataBlob
	err := windows.CryptUnprotectData(blob(b), nil, blob(entropy), 0, nil, windows.CRYPTPROTECT_UI_FORBIDDEN, &out)
	if err != nil {
		return "", fmt.Errorf("CryptUnprotectData: %w", err)
	}
	defer windows.LocalFree(windows.Handle(unsafe.Pointer(out.Data)))
	return string(unsafe.Slice(out.Data, out.Size)), nil
}

// logEvent reports a problem where an administrator can see it (DebugView, debugger): the
// Telephony service has no console.
func logEvent(msg string) {
	p, err := windows.UTF16PtrFromString(msg + "\n")
	if err == nil {
		_, _, _ = outputDebugString.Call(uintptr(unsafe.Pointer(p)))
	}
}

var outputDebugString = windows.NewLazySystemDLL("kernel32.dll").NewProc("OutputDebugStringW")
