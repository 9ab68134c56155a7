// ValidateAlert: the CAP 1.2 conformance checks of standards.md §1.5 applied to an Alert that is
// already in the Cap'n Proto model (a client built it, or an adapter parsed it), so the broker
// refuses what a conformant CAP parser would refuse even when no XML was involved. The rules
// and reason codes are those of ParseCap (cap_parser.h) minus the XML-only ones (well-formed
// XML, namespaces, element order, duplicates, attributes, encodings, hostile markup).
//
// In the model an empty Text is an absent element and an `unset` enumeration an absent one, so
// "missing" and "present but empty" are the same thing here: both are MISSING_REQUIRED_ELEMENT.
// Checks, in this order (first failure wins); every error is Status::InvalidArgument whose
// message is "<CODE>: <where>[ '<value>']: <why>", e.g.
//   "MISSING_REQUIRED_ELEMENT: info[0]/event: required element is missing or empty"
//   "INVALID_DATE: info[0]/expires '2026-11-28T21:00:00Z': alphabetic timezone designators ..."
//  1. alert: identifier (MISSING_REQUIRED_ELEMENT, INVALID_IDENTIFIER), sender
//     (MISSING_REQUIRED_ELEMENT, INVALID_SENDER), sent (MISSING_REQUIRED_ELEMENT, INVALID_DATE),
//     status, msgType, scope (MISSING_REQUIRED_ELEMENT when unset, INVALID_ENUM_VALUE for a value
//     outside CAP 1.2), references (INVALID_REFERENCES: whitespace only, or not
//     sender,identifier,sent triples; CIRCULAR_REFERENCE).
//  2. each info[i]: language (INVALID_LANGUAGE), category (MISSING_REQUIRED_ELEMENT when there is
//     none, INVALID_ENUM_VALUE for an unset one), event (MISSING_REQUIRED_ELEMENT), responseType
//     (INVALID_ENUM_VALUE), urgency, severity, certainty (MISSING_REQUIRED_ELEMENT /
//     INVALID_ENUM_VALUE), eventCode[k]/valueName and parameter[k]/valueName
//     (MISSING_REQUIRED_ELEMENT), effective, onset, expires (INVALID_DATE), web (INVALID_WEB);
//     each resource[k]: resourceDesc, mimeType (MISSING_REQUIRED_ELEMENT), mimeType
//     (INVALID_MIME_TYPE), size (INVALID_SIZE), derefUri (INVALID_DEREF_URI), uri (INVALID_URI,
//     RELATIVE_URI_MISSING_DEREF_URI); each area[k]: areaDesc (MISSING_REQUIRED_ELEMENT),
//     polygon[n] (INVALID_POLYGON, INVALID_POLYGON_SELF_INTERSECTION), circle[n]
//     (INVALID_CIRCLE), geocode[n]/valueName (MISSING_REQUIRED_ELEMENT), altitude
//     (INVALID_ALTITUDE), ceiling (INVALID_CEILING, INVALID_AREA without altitude,
//     INVALID_ALTITUDE_CEILING_RANGE).
//  3. whole alert: UPDATE_OR_CANCEL_MUST_REFERENCE (msgType Update, Cancel, Ack or Error without
//     references), RESTRICTION_SCOPE_MISMATCH (restriction with a scope other than Restricted),
//     ADDRESSES_SCOPE_MISMATCH (scope Private without addresses).
// Status Draft is valid CAP and accepted here; whether a relay takes drafts is its own decision.
// Not checked: text sizes (the broker's envelope check bounds every field) and UTF-8 validity.
//
// Thread-safe (no shared state). No exceptions escape.
#pragma once

#include "common/status.h"
#include "schemas/alert.capnp.h"

namespace muster::cap {

Status ValidateAlert(schema::Alert::Reader alert);

}  // namespace muster::cap
