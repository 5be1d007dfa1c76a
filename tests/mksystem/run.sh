#!/bin/sh
# Placeholder: the malformed-description tests (being written).
: > "$2"
