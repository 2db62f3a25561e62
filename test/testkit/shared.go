package testkit

import (
	"reflect"
	"time"
)

// SharedMemory returns the path of the first pointer, slice array or map that a and b (values
// of one type) have in common, "" when they share none: a copy that must not alias what it
// copied. Times are left out (a zone is shared and never changes).
func SharedMemory(a, b any, path string) string {
	return sharedMemory(reflect.ValueOf(a), reflect.ValueOf(b), path)
}

func sharedMemory(a, b reflect.Value, path string) string {
	switch a.Kind() {
	case reflect.Pointer:
		if a.IsNil() || b.IsNil() {
			return ""
		}
		if a.Pointer() == b.Pointer() {
			return path
		}
		return sharedMemory(a.Elem(), b.Elem(), path)
	case reflect.Slice, reflect.Map:
		if a.Len() > 0 && b.Len() > 0 && a.Pointer() == b.Pointer() {
			return path
		}
		if a.Kind() == reflect.Slice {
			for i := range min(a.Len(), b.Len()) {
				if p := sharedMemory(a.Index(i), b.Index(i), path+"[]"); p != "" {
					return p
				}
			}
		}
	case reflect.Struct:
		if a.Type() == reflect.TypeFor[time.Time]() {
			return ""
		}
		for i := range a.NumField() {
			if p := sharedMemory(a.Field(i), b.Field(i), path+"."+a.Type().Field(i).Name); p != "" {
				return p
			}
		}
	}
	return ""
}
