"""The foundation every part stands on: file locations, errors, text helpers, YAML reading, the reference registry."""
