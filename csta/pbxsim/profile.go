package pbxsim

import (
	"fmt"
	"strings"

	"github.com/ctibridge/ctibridge/csta"
)

// Profile is how one kind of switch shapes its CSTA: which optional elements it sends, how it
// writes device identifiers and connections, which services it offers. A profile is data: the
// event builders and services consult its switches, never its name. See the "Profiles"
// section of the package documentation for the sources of each preset.
type Profile struct {
	Name string
	// Dialect is the session dialect (csta.DialectByName) the profile implies when
	// Config.Dialect is empty.
	Dialect string

	// DecorateAll writes every device member of an event the way OpenScape Voice does:
	// internal numbers `N<201>;noa=nk`, external ones `N<+4930123>;displayNumber=+4930123;noa=nk`.
	// Connection device IDs stay plain. Without it, Config.DecorateExternal decides.
	DecorateAll bool
	// PlainOriginatedCalling leaves the callingDevice of OriginatedEvent undecorated, as in
	// the OSV OriginatedEvent capture (the other members are decorated).
	PlainOriginatedCalling bool
	// NotRequiredRedirection sends lastRedirectionDevice as <notRequired/> in Delivered and
	// Established when the call was not redirected.
	NotRequiredRedirection bool
	// ServiceExtras sends servicesPermitted (while the recipient has a live connection),
	// mediaCallCharacteristics (voice) and the OSV private data
	// (<scx:extendedServicesPermitted/>) with every call event.
	ServiceExtras bool

	// OmitCallIDs leaves the callID out of every connection the switch reports (events,
	// responses, snapshots); a connection is then only its deviceID.
	OmitCallIDs bool
	// OwnConnection makes the connection member of an event about one party (Delivered,
	// Established, Held, Retrieved, ConnectionCleared, ...) the recipient's own connection
	// whenever the recipient is in the call; the device members still say who did what.
	OwnConnection bool
	// ResolveByState resolves a request whose connection has no callID, on a device with
	// several calls, by the state the service needs (see resolveConnFor).
	ResolveByState bool
	// OmitOptional leaves out optional event members the standard does not require:
	// networkCallingDevice and callCharacteristics of Delivered.
	OmitOptional bool
	// NoSnapshotCall refuses SnapshotCall with operation/serviceNotSupported.
	NoSnapshotCall bool
	// Prompt honours MakeCall autoOriginate "prompt": the calling device is rung first and
	// the call is dialled when it accepts. Without it every MakeCall is doNotPrompt.
	Prompt bool
	// NoPickup refuses DirectedPickupCall and GroupPickupCall with
	// operation/serviceNotSupported, as switches without CSTA pickup services do.
	NoPickup bool
}

// The presets. Only what differs from a plain ECMA-269 switch is set.
var (
	// ProfileOSV shapes events like the OpenScape Voice frames of the public captures.
	ProfileOSV = Profile{Name: "osv", Dialect: "osv", DecorateAll: true, PlainOriginatedCalling: true,
		NotRequiredRedirection: true, ServiceExtras: true, Prompt: true}
	// ProfileOSBiz is OpenScape Business: SystemStatus-first sessions; events as generic.
	ProfileOSBiz = Profile{Name: "osbiz", Dialect: "osbiz", Prompt: true}
	// ProfileAvaya is Avaya AES: ed3 namespace, application sessions; events as generic.
	ProfileAvaya = Profile{Name: "avaya", Dialect: "avaya", Prompt: true}
	// ProfileGeneric is the simulator's own reading of ECMA-269, honouring autoOriginate.
	ProfileGeneric = Profile{Name: "generic", Dialect: "generic", Prompt: true}
	// ProfileMinimal is a bare-bones but legal switch: no call IDs, the recipient's own
	// connection in every event, requests resolved by device and state, no SnapshotCall,
	// no pickup services, no optional members.
	ProfileMinimal = Profile{Name: "minimal", Dialect: "generic", OmitCallIDs: true, OwnConnection: true,
		ResolveByState: true, OmitOptional: true, NoSnapshotCall: true, NoPickup: true}
)

// defaultProfile is what an empty Config.Profile gets: the generic event shapes, and MakeCall
// ignoring autoOriginate as the simulator always did (the bridge's click-to-dial asks for
// prompt, and the embedded demo has nobody to pick up the calling phone).
var defaultProfile = Profile{Name: "", Dialect: ""}

// Profiles returns the presets in a stable order.
func Profiles() []Profile {
	return []Profile{ProfileOSV, ProfileOSBiz, ProfileAvaya, ProfileGeneric, ProfileMinimal}
}

// ProfileNames returns the preset names, for help texts.
func ProfileNames() []string {
	var names []string
	for _, p := range Profiles() {
		names = append(names, p.Name)
	}
	return names
}

// ProfileByName returns the preset with the given name (case-insensitive). The empty name is
// the default: generic event shapes with autoOriginate ignored.
func ProfileByName(name string) (Profile, error) {
	name = strings.TrimSpace(name)
	if name == "" {
		return defaultProfile, nil
	}
	for _, p := range Profiles() {
		if strings.EqualFold(p.Name, name) {
			return p, nil
		}
	}
	return Profile{}, fmt.Errorf("pbxsim: unknown profile %q; valid profiles: %s", name, strings.Join(ProfileNames(), ", "))
}

// OSV trailing elements, in the order of the captures: servicesPermitted,
// mediaCallCharacteristics, then the private data under extensions. The encoder appends
// EventCommon.Extensions verbatim after cause, so they travel there; a decoder keeps only the
// <extensions> element in Extensions and skips the others.
const (
	osvPermitOpen  = `<servicesPermitted><callControlServices><clearConnection>true</clearConnection>`
	osvPermitDefl  = `<deflectCall>true</deflectCall>`
	osvPermitClose = `</callControlServices><callAssociatedServices/><mediaAttachementServices/><routeingServices/><voiceServices/></servicesPermitted>`
	osvMedia       = `<mediaCallCharacteristics><mediaClass><voice>true</voice><image>false</image><im>false</im></mediaClass></mediaCallCharacteristics>`
	osvPrivOpen    = `<privateData><private xmlns:scx="http://www.siemens.com/schema/csta"><scx:extendedServicesPermitted/>`
	osvPrivClose   = `</private></privateData></extensions>`
)

// serviceExtras returns the OSV trailer of a call event for a recipient whose connection is in
// state local; stamp (may be nil) is the <security> element with the send time, which comes
// before the private data in <extensions>.
func serviceExtras(local csta.LocalConnectionState, stamp []byte) []byte {
	var b []byte
	switch local {
	case csta.StateInitiated, csta.StateConnected, csta.StateHold, csta.StateFail, csta.StateQueued:
		b = append(b, osvPermitOpen...)
		b = append(b, osvPermitClose...)
	case csta.StateAlerting:
		b = append(b, osvPermitOpen...)
		b = append(b, osvPermitDefl...)
		b = append(b, osvPermitClose...)
	}
	b = append(b, osvMedia...)
	b = append(b, "<extensions>"...)
	b = append(b, stamp...)
	b = append(b, osvPrivOpen...)
	return append(b, osvPrivClose...)
}

// osvDecorate writes a device identifier the OSV way.
func osvDecorate(number string, external bool) string {
	if external {
		return "N<" + number + ">;displayNumber=" + number + ";noa=nk"
	}
	return "N<" + number + ">;noa=nk"
}
