#ifndef CASEATTEST_CLIBPQ_SHIM_H
#define CASEATTEST_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
