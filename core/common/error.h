#pragma once
// Every failure the engine reports derives from driftlab::Error, whose message is written
// for the user (it names what, where and why), so the GUI and the CLI can show it as is.
#include <stdexcept>
#include <string>

namespace driftlab {

class Error : public std::runtime_error {
public:
    explicit Error(const std::string& message) : std::runtime_error(message) {}
};

// A config, CSV or command-line value that cannot be accepted.
class ConfigError : public Error {
public:
    using Error::Error;
};

// A typed expression that does not parse; position is 0-based into the expression text.
class ExpressionError : public Error {
public:
    ExpressionError(const std::string& message, std::string expression, int position)
        : Error(message), expression_(std::move(expression)), position_(position) {}
    const std::string& expression() const { return expression_; }
    int position() const { return position_; }

private:
    std::string expression_;
    int position_;
};

// A solve that cannot go on (non-finite state, step too small, too many steps).
class SolverError : public Error {
public:
    using Error::Error;
};

}  // namespace driftlab
