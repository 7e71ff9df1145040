// The index reader's functions on the addon's exports (ann-addon.cc).
#pragma once
#include <node_api.h>

namespace annreader {
void define(napi_env env, napi_value exports);
}
