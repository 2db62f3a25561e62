// Shared declarations of the TSP's cgo files (helpers.c defines them).
#ifndef CTIBRIDGE_TSP_H
#define CTIBRIDGE_TSP_H
#include <windows.h>
#include <tapi.h>
#include <tspi.h>

void tsp_event(LINEEVENT f, HTAPILINE l, HTAPICALL c, DWORD msg, DWORD_PTR p1, DWORD_PTR p2, DWORD_PTR p3);
HTAPICALL tsp_newcall(LINEEVENT f, HTAPILINE l, HDRVCALL hd);
void tsp_complete(ASYNC_COMPLETION f, DRV_REQUESTID id, LONG result);
HDRVLINE tsp_hdline(UINT_PTR v);
HDRVCALL tsp_hdcall(UINT_PTR v);
HTAPILINE tsp_htline(UINT_PTR v);
HTAPICALL tsp_htcall(UINT_PTR v);
int tsp_pin(void);
HMODULE tsp_module(void);
#endif
