#ifndef CASEATTEST_CPKCS11_SHIM_H
#define CASEATTEST_CPKCS11_SHIM_H
// The standard PKCS #11 header as Debian ships it (libp11-kit-dev). Nothing is
// linked: the token's module (a .so) is loaded at run time with dlopen.
#include <p11-kit-1/p11-kit/pkcs11.h>
#include <dlfcn.h>
#include <stddef.h>

// dlopen + dlsym("C_GetFunctionList") + the call. Returns NULL and leaves
// *list alone when the file cannot be loaded or is not a PKCS #11 module.
static inline void *cpkcs11_load(const char *path, CK_FUNCTION_LIST_PTR *list, CK_RV *rv) {
    void *handle = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (handle == NULL) return NULL;
    CK_C_GetFunctionList get = (CK_C_GetFunctionList)dlsym(handle, "C_GetFunctionList");
    if (get == NULL) { dlclose(handle); return NULL; }
    *rv = get(list);
    return handle;
}

// C_Initialize with CKF_OS_LOCKING_OK: the module may be called from several threads.
static inline CK_RV cpkcs11_initialize(CK_FUNCTION_LIST_PTR list) {
    CK_C_INITIALIZE_ARGS args = {0};
    args.flags = CKF_OS_LOCKING_OK;
    return list->C_Initialize(&args);
}
#endif
