// bcryptprimitives.dll with the one function Go (since 1.22) imports from it: ProcessPrng.
// Wine 8 has no bcryptprimitives.dll; the harness tests place this build in the Wine
// prefix's system32. Real Windows (8 and later) has its own; never install this there.
//
// Build: x86_64-w64-mingw32-gcc -shared -O2 -o bcryptprimitives.dll bcryptprimitives.c -ladvapi32
#include <windows.h>

// RtlGenRandom, exported by advapi32 under this name.
BOOLEAN NTAPI SystemFunction036(PVOID buffer, ULONG length);

__declspec(dllexport) BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length) {
	while (length > 0) {
		ULONG n = length > 0x40000000 ? 0x40000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}
