#ifndef CASEATTEST_CSECP256K1_SHIM_H
#define CASEATTEST_CSECP256K1_SHIM_H
// Debian's libsecp256k1 is built with the recovery module, which Ethereum
// signatures (v = recovery id) need.
#include <secp256k1.h>
#include <secp256k1_recovery.h>
#endif
