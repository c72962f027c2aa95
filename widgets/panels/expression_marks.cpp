#include "widgets/panels/expression_marks.h"

#include <QCoreApplication>
#include <QInputMethodEvent>
#include <QLineEdit>
#include <QTextCharFormat>

#include <algorithm>
#include <cctype>

namespace driftlab::widgets {
namespace {

bool isIdentChar(QChar c) { return c.isLetterOrNumber() || c == '_'; }

}  // namespace

int tokenLength(const QString& s, int position) {
    if (position < 0 || position >= s.size()) return 1;
    int end = position;
    if (isIdentChar(s[position])) {
        while (end < s.size() && (isIdentChar(s[end]) || s[end] == '.')) ++end;
    } else {
        end = position + 1;
    }
    return end - position;
}

void markLineEditRange(QLineEdit* edit, int start, int length) {
    // QLineEdit has no per-range formatting API; an input-method event carrying only text
    // formats is the supported way to decorate its text without changing it.
    QList<QInputMethodEvent::Attribute> attributes;
    if (length > 0) {
        QTextCharFormat format;
        format.setUnderlineStyle(QTextCharFormat::WaveUnderline);
        format.setUnderlineColor(QColor(198, 40, 40));
        format.setForeground(QColor(198, 40, 40));
        format.setFontWeight(QFont::Bold);
        attributes << QInputMethodEvent::Attribute(QInputMethodEvent::TextFormat,
                                                   start - edit->cursorPosition(), length, format);
    }
    QInputMethodEvent event(QString(), attributes);
    QCoreApplication::sendEvent(edit, &event);
}

QString caretMarker(const QString& expression, int position, int length, int width) {
    if (position < 0) return {};
    position = std::min<int>(position, expression.size());
    int from = 0;
    QString shown = expression;
    QString prefix;
    if (expression.size() > width) {
        from = std::clamp(position - width / 2, 0, int(expression.size()) - width);
        shown = expression.mid(from, width);
        if (from > 0) prefix = QStringLiteral("…");
        if (from + width < expression.size()) shown += QStringLiteral("…");
    }
    const int column = int(prefix.size()) + position - from;
    const int carets = std::max(1, std::min(length, int(shown.size()) - (position - from)));
    return prefix + shown + '\n' + QString(column, ' ') + QString(carets, '^');
}

std::string renameIdentifiers(const std::string& s,
                              const std::map<std::string, std::string>& renames) {
    std::string out;
    out.reserve(s.size());
    std::size_t i = 0;
    while (i < s.size()) {
        const unsigned char c = static_cast<unsigned char>(s[i]);
        if (std::isdigit(c) ||
            (c == '.' && i + 1 < s.size() && std::isdigit(static_cast<unsigned char>(s[i + 1])))) {
            // A number, including exponents like 1e-3, whose 'e' is no identifier.
            std::size_t j = i;
            while (j < s.size() && (std::isdigit(static_cast<unsigned char>(s[j])) || s[j] == '.'))
                ++j;
            if (j < s.size() && (s[j] == 'e' || s[j] == 'E')) {
                std::size_t k = j + 1;
                if (k < s.size() && (s[k] == '+' || s[k] == '-')) ++k;
                if (k < s.size() && std::isdigit(static_cast<unsigned char>(s[k]))) {
                    j = k;
                    while (j < s.size() && std::isdigit(static_cast<unsigned char>(s[j]))) ++j;
                }
            }
            out.append(s, i, j - i);
            i = j;
        } else if (std::isalpha(c) || c == '_') {
            std::size_t j = i;
            while (j < s.size() && (std::isalnum(static_cast<unsigned char>(s[j])) || s[j] == '_'))
                ++j;
            const std::string name = s.substr(i, j - i);
            auto it = renames.find(name);
            out += it == renames.end() ? name : it->second;
            i = j;
        } else {
            out += s[i++];
        }
    }
    return out;
}

}  // namespace driftlab::widgets
