#pragma once
// Small helpers for showing where a typed expression breaks and for renaming the state
// variables inside expressions when the dimension changes.
#include <QString>

#include <map>
#include <string>

class QLineEdit;

namespace driftlab::widgets {

// Length of the token starting at position (an identifier, a number or one operator
// character); at least 1 so there is always something to point at.
int tokenLength(const QString& expression, int position);

// Marks [start, start + length) with a red wavy underline inside the line edit without
// touching its text or selection; length 0 clears the marks.
void markLineEditRange(QLineEdit* edit, int start, int length);

// Two monospace lines: the expression (a window around position when it is long) and a
// caret line under the bad token, e.g. "theta**x\n      ^".
QString caretMarker(const QString& expression, int position, int length, int width = 40);

// Replaces whole identifiers (not parts of longer names, not exponents of numbers).
std::string renameIdentifiers(const std::string& expression,
                              const std::map<std::string, std::string>& renames);

}  // namespace driftlab::widgets
