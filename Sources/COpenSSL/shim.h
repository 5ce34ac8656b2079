#ifndef CASEATTEST_COPENSSL_SHIM_H
#define CASEATTEST_COPENSSL_SHIM_H
// libcrypto only: SHA-256, HMAC, scrypt/pbkdf2 (EVP_KDF / PKCS5), AES-CTR,
// the OS CSPRNG (RAND_bytes) and constant-time comparison.
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/core_names.h>
#include <openssl/params.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
#include <openssl/err.h>
#endif
