// The process-wide state of libxml2 and xmlsec (OpenSSL back end), which the libraries keep in
// globals: initialised once, on first use, from whichever thread gets there first (a C++ static,
// so concurrent first calls wait for one initialisation); shut down when the process exits. This
// is the only place that initialises or shuts down either library. xmlsec's I/O callbacks are
// removed at initialisation, so nothing it processes can open a file or a URL.
//
// REQUIRES: every verification has finished before the process exits (static destruction shuts
// the libraries down).
#pragma once

#include <xmlsec/keysmngr.h>

#include <string>
#include <vector>

#include "common/status.h"

namespace muster::cap::internal {

// Ok once the libraries are ready; Internal (every call, same message) when they could not be
// initialised. Thread-safe.
Status EnsureXmlSecReady();

// A keys manager holding no key and no trusted certificate, shared read-only by every
// verification: xmlsec needs one (with its X509 store) to read a signature's X509Data. Built once
// (the X509 store loads the system's certificate list, which is slow); nullptr when
// EnsureXmlSecReady() fails. Owned here; never modify it.
xmlSecKeysMngr* SharedKeysManager();

// Collects, in plain words, the errors xmlsec reports on the calling thread while the object is
// alive (xmlsec reports through one process-wide callback; the reports are routed per thread).
// When logs are nested, the innermost one collects. Not copyable.
class XmlSecErrorLog {
 public:
  XmlSecErrorLog();
  ~XmlSecErrorLog();
  XmlSecErrorLog(const XmlSecErrorLog&) = delete;
  XmlSecErrorLog& operator=(const XmlSecErrorLog&) = delete;

  // The first few distinct reports joined with "; " (xmlsec's generic "library function failed"
  // ones left out when a specific one exists), or "no detail" when there were none.
  std::string Text() const;
  void Clear() { reports_.clear(); }
  // Keeps `report` unless it repeats an earlier one or the log is full.
  void Add(const std::string& report);

 private:
  std::vector<std::string> reports_;
  XmlSecErrorLog* outer_;
};

}  // namespace muster::cap::internal
