//go:build windows && cgo

package main

/*
#include "tsp.h"
*/
import "C"

import (
	"fmt"
	"strings"

	"golang.org/x/sys/windows"

	tspcore "github.com/ctibridge/ctibridge/clients/tsp/core"
)

const setupHelp = `Configure from an administrator prompt:
rundll32 ctibridge.tsp,Configure -urls ws://bridge-a:8080/ws,ws://bridge-b:8080/ws -token TOKEN [-mode user|server] [-oos-ms 5000] [-open-ms 10000] [-connect-ms 15000] [-quiet]`

// showConfig tells the user what the provider uses and how to change it.
func showConfig(hwnd C.HWND, id uint32) {
	text := ""
	c, err := loadConfig(id)
	if err != nil {
		text = "The ctibridge TSP is not configured: " + err.Error()
	} else {
		text = fmt.Sprintf("Bridge URLs: %s\nMode: %s\nToken: stored protected (DPAPI)\nOut of service after: %v\n",
			strings.Join(c.URLs, ", "), c.Mode, c.OutOfServiceAfter)
	}
	message(hwnd, text+"\n\n"+setupHelp, windows.MB_OK|windows.MB_ICONINFORMATION)
}

func message(hwnd C.HWND, text string, flags uint32) {
	t, _ := windows.UTF16PtrFromString(text)
	caption, _ := windows.UTF16PtrFromString("ctibridge TSP")
	_, _ = windows.MessageBox(windows.HWND(uintptrOf(hwnd)), t, caption, flags)
}

//export TUISPI_providerConfig
func TUISPI_providerConfig(lpfnUIDLLCallback C.TUISPIDLLCALLBACK, hwndOwner C.HWND, dwPermanentProviderID C.DWORD) C.LONG {
	showConfig(hwndOwner, uint32(dwPermanentProviderID))
	return 0
}

//export TUISPI_lineConfigDialog
func TUISPI_lineConfigDialog(lpfnUIDLLCallback C.TUISPIDLLCALLBACK, dwDeviceID C.DWORD, hwndOwner C.HWND, lpszDeviceClass C.LPCWSTR) C.LONG {
	showConfig(hwndOwner, 0)
	return 0
}

//export TUISPI_providerInstall
func TUISPI_providerInstall(lpfnUIDLLCallback C.TUISPIDLLCALLBACK, hwndOwner C.HWND, dwPermanentProviderID C.DWORD) C.LONG {
	if _, err := loadConfig(uint32(dwPermanentProviderID)); err != nil {
		// Installing works without a configuration; the lines appear once there is one
		// and the Telephony service restarts.
		message(hwndOwner, "Installed. "+err.Error()+"\n\n"+setupHelp, windows.MB_OK|windows.MB_ICONWARNING)
	}
	return 0
}

//export TUISPI_providerRemove
func TUISPI_providerRemove(lpfnUIDLLCallback C.TUISPIDLLCALLBACK, hwndOwner C.HWND, dwPermanentProviderID C.DWORD) C.LONG {
	return 0 // the configuration stays for a reinstall
}

// ConfigureW is the rundll32 entry point that stores the configuration, e.g.
// rundll32 ctibridge.tsp,Configure -urls ws://bridge:8080/ws -token TOKEN -mode server
// rundll32 is given "Configure": it looks for the name with W appended first and passes that
// one a UTF-16 command line. Given "ConfigureW" it would look for "ConfigureWW", fall back
// to ConfigureW and pass it an ANSI command line, which this function cannot read.
// The outcome also goes to OutputDebugString, and only there with -quiet (scripted installs:
// nobody would click the message box away).
//
//export ConfigureW
func ConfigureW(hwnd C.HWND, hinst C.HINSTANCE, lpszCmdLine C.LPWSTR, nCmdShow C.int) {
	c, quiet, err := tspcore.ParseSetupArgs(goString(C.LPCWSTR(lpszCmdLine)))
	if err == nil {
		c, err = c.WithDefaults()
	}
	if err == nil {
		err = saveConfig(c)
	}
	text, flags := configSaved, uint32(windows.MB_OK|windows.MB_ICONINFORMATION)
	if err != nil {
		text, flags = configNotSaved+err.Error(), windows.MB_OK|windows.MB_ICONERROR
	}
	logEvent(text)
	if !quiet {
		if err != nil {
			text += "\n\n" + setupHelp
		}
		message(hwnd, text, flags)
	}
}

// What ConfigureW reports (README.md quotes them).
const (
	configSaved    = "ctibridge TSP configuration saved. Restart the Telephony service (net stop tapisrv && net start tapisrv) to apply it."
	configNotSaved = "ctibridge TSP configuration not saved: "
)
