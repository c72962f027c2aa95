// The struct <-> JSON binding tables: one table reads and writes, in schema order, and a
// table that disagrees with its schema is refused when it is built.
#include "core/experiment/field_binding.h"

#include <QtTest>

using namespace driftlab::core;
using nlohmann::json;

namespace {

enum class Colour { Red, Blue };

struct Toy {
    struct Inner {
        double rate = 0.5;
    } inner;
    long count = 3;
    Colour colour = Colour::Red;
    std::vector<long> widths{8, 8};
};

const Schema& toySchema() {
    static const Schema schema(
        "toy", {choiceField("colour", "Colour", "red", {"red", "blue"}, "A colour."),
                integerField("count", "Count", 3, 0, 100, "A count."),
                realField("rate", "Rate", 0.5, 0.0, 1.0, "A rate."),
                integerField("width", "Width", 8, 1, 64, "Neurons per layer."),
                integerField("depth", "Layers", 2, 1, 8, "Hidden layers.")});
    return schema;
}

std::vector<FieldBinding<Toy>> toyBindings() {
    const auto name = [](Colour c) { return c == Colour::Blue ? "blue" : "red"; };
    const auto fromName = [](const std::string& n) {
        return n == "blue" ? Colour::Blue : Colour::Red;
    };
    // Deliberately not in schema order: the table is put in schema order.
    return {bindMember<Toy>(
                "rate", [](auto& t) -> auto& { return t.inner.rate; }),
            bindLayerCount<Toy>(
                "depth", [](auto& t) -> auto& { return t.widths; }),
            bindChoice<Toy>(
                "colour", [](auto& t) -> auto& { return t.colour; }, name, fromName),
            bindLayerWidth<Toy>(
                "width", [](auto& t) -> auto& { return t.widths; }),
            bindMember<Toy>(
                "count", [](auto& t) -> auto& { return t.count; })};
}

}  // namespace

class TestFieldBinding : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void readsAndWritesEveryKey() {
        const FieldBindings<Toy> bindings(toySchema(), toyBindings());
        Toy toy;
        bindings.read(toySchema().validate(
                          {{"colour", "blue"}, {"count", 42}, {"depth", 4}, {"width", 16}}, "t"),
                      toy);
        QCOMPARE(toy.colour, Colour::Blue);
        QCOMPARE(toy.count, 42L);
        QCOMPARE(toy.inner.rate, 0.5);  // the default
        QCOMPARE(toy.widths, (std::vector<long>(4, 16)));
        const json written = bindings.write(toy);
        QCOMPARE(
            written,
            (json{{"colour", "blue"}, {"count", 42}, {"rate", 0.5}, {"width", 16}, {"depth", 4}}));
        // ordered_json keeps the schema's order, whatever the table's order was.
        std::vector<std::string> keys;
        const auto ordered = bindings.write<nlohmann::ordered_json>(toy);  // items() needs it alive
        for (const auto& item : ordered.items()) keys.push_back(item.key());
        QCOMPARE(keys, (std::vector<std::string>{"colour", "count", "rate", "width", "depth"}));
    }

    void tableMustMatchTheSchema() {
        auto missing = toyBindings();
        missing.pop_back();  // no "count"
        QVERIFY_THROWS_EXCEPTION(std::logic_error, FieldBindings<Toy>(toySchema(), missing));
        auto twice = toyBindings();
        twice.push_back(twice.front());
        QVERIFY_THROWS_EXCEPTION(std::logic_error, FieldBindings<Toy>(toySchema(), twice));
        auto unknown = toyBindings();
        unknown.push_back(bindMember<Toy>(
            "speed", [](auto& t) -> auto& { return t.count; }));
        QVERIFY_THROWS_EXCEPTION(std::logic_error, FieldBindings<Toy>(toySchema(), unknown));
    }
};

QTEST_GUILESS_MAIN(TestFieldBinding)
#include "test_field_binding.moc"
