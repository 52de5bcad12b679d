// Element paths typed by a step's profile (SPEC §6, issue 5 item 4): decisions and routes
// compare by type, message variables rewrite dates, maps convert between the source and the
// target profile, and every path is checked against its profile when the process loads.
#include "harness.hpp"

namespace ferry::engine::test_steps {
namespace {

// US dates (text order is not date order), numbers, a number-like code kept as text.
constexpr const char* shipment_profile = R"(profile: Shipment
format: json
root:
  elements:
    - {name: id, type: integer}
    - {name: shipped, type: date, mask: "MM/dd/yyyy"}
    - {name: weight, type: number}
    - {name: express, type: boolean, min: 0}
    - {name: code}
    - name: parcels
      min: 0
      max: unbounded
      elements:
        - {name: kg, type: number}
        - {name: sent, type: date, mask: "MM/dd/yyyy"}
)";

// The carrier's XML: ISO dates, an integer attribute.
constexpr const char* booking_profile = R"(profile: Booking
format: xml
root:
  name: Booking
  namespace: urn:carrier
  attributes:
    - {name: ref, type: integer}
  elements:
    - {name: Shipped, type: date, mask: "yyyy-MM-dd"}
    - {name: Code}
    - name: Parcel
      max: unbounded
      elements:
        - {name: Kg, type: number}
        - {name: Sent, type: date, mask: "dd.MM.yyyy"}
)";

// The same booking as JSON, to see the target's types in the output.
constexpr const char* label_profile = R"(profile: Label
format: json
root:
  elements:
    - {name: ref, type: string}
    - {name: weight, type: number}
    - {name: express, type: boolean}
    - {name: day, type: date, mask: "yyyyMMdd"}
    - {name: count, type: integer, min: 0}
)";

}  // namespace

class TypedPaths : public StepTest {
protected:
    void SetUp() override {
        dir_.write("Shipment.profile.yaml", shipment_profile);
        dir_.write("Booking.profile.yaml", booking_profile);
        dir_.write("Label.profile.yaml", label_profile);
    }

    std::string error_of(const std::string& steps) {
        try {
            run(steps, {});
        } catch (const definition_error& e) {
            return e.what();
        }
        return "no error";
    }
};

// Dates compare as dates through the profile's mask: 01/05/2027 is after 12/24/2026 although
// its text sorts first; the static side is written in the same mask.
TEST_F(TypedPaths, DecisionComparesDatesByMask) {
    const auto out = run(R"(- decision:
    profile: Shipment
    left: {element: shipped}
    op: ">="
    right: {static: "01/01/2027"}
    then:
      - set_properties: [{document: year, value: {static: "2027"}}]
    else:
      - set_properties: [{document: year, value: {static: "2026"}}]
)",
                         {R"({"shipped": "01/05/2027"})", R"({"shipped": "12/24/2026"})"});
    ASSERT_TRUE(out.ok) << out.error;
    ASSERT_EQ(out.outputs.size(), 2u);
    EXPECT_EQ(out.outputs[0].doc.props.at("year"), "2027");
    EXPECT_EQ(out.outputs[1].doc.props.at("year"), "2026");
}

// A string element compares as text even when it looks like a number ("10" < "9"), a number
// element by value ("1200.00" = "1200"); without a profile both sides numeric compare as
// numbers (the untyped rule stays as it was).
TEST_F(TypedPaths, DecisionFollowsTheProfileType) {
    const auto decide = [&](const std::string& element, const std::string& op,
                            const std::string& value, const std::string& document) {
        const auto out = run("- decision:\n    profile: Shipment\n    left: {element: " + element +
                                 "}\n    op: \"" + op + "\"\n    right: {static: \"" + value +
                                 "\"}\n    then:\n      - set_properties: [{document: t, value: "
                                 "{static: y}}]\n",
                             {document});
        EXPECT_TRUE(out.ok) << out.error;
        return out.outputs.size() == 1 && out.outputs[0].doc.props.contains("t");
    };
    EXPECT_TRUE(decide("code", "<", "9", R"({"code": "10"})"));            // text: "10" < "9"
    EXPECT_TRUE(decide("weight", "=", "1200", R"({"weight": 1200.00})"));  // by value
    EXPECT_TRUE(decide("weight", ">", "9", R"({"weight": 10})"));
    EXPECT_TRUE(decide("express", "=", "true", R"({"express": 1})"));  // 1 is true
    EXPECT_FALSE(decide("shipped", "<", "12/31/2025", R"({"shipped": "01/01/2026"})"));
}

// A value that is not what the profile says fails its document with the element, the value
// and the rule; an absent value compares as the empty text; the others go on.
TEST_F(TypedPaths, DecisionFailsValuesThatAreNotTheirType) {
    const auto out =
        run(R"(- id: late
  decision:
    profile: Shipment
    left: {element: shipped}
    op: "<"
    right: {static: "06/30/2026"}
    then:
      - set_properties: [{document: early, value: {static: "yes"}}]
    else:
      - set_properties: [{document: early, value: {static: "no"}}]
)",
            {R"({"shipped": "2026-05-01"})", R"({"shipped": "05/01/2026"})", R"({"id": 3})"});
    ASSERT_EQ(out.failures.size(), 1u);
    EXPECT_EQ(out.failures[0].step, "late");
    EXPECT_EQ(out.failures[0].error,
              "decision: element 'shipped' holds '2026-05-01', which is not a date written "
              "MM/dd/yyyy (profile Shipment)");
    ASSERT_EQ(out.outputs.size(), 2u);
    EXPECT_EQ(out.outputs[0].doc.props.at("early"), "yes");
    EXPECT_EQ(out.outputs[1].doc.props.at("early"), "yes");  // "" < "06/30/2026" as text
}

// Routes match typed values: 7, 7.0 and 7.00 are one number; a date in another spelling of
// the same day takes the same route.
TEST_F(TypedPaths, RouteMatchesByValue) {
    const auto out = run(R"(- route:
    profile: Shipment
    value: {element: weight}
    routes:
      - when: "7.0"
        steps:
          - set_properties: [{document: lane, value: {static: seven}}]
    default:
      - set_properties: [{document: lane, value: {static: other}}]
)",
                         {R"({"weight": 7})", R"({"weight": 7.00})", R"({"weight": 70})"});
    ASSERT_TRUE(out.ok) << out.error;
    ASSERT_EQ(out.outputs.size(), 3u);
    EXPECT_EQ(out.outputs[0].doc.props.at("lane"), "seven");
    EXPECT_EQ(out.outputs[1].doc.props.at("lane"), "seven");
    EXPECT_EQ(out.outputs[2].doc.props.at("lane"), "other");
}

TEST_F(TypedPaths, RouteFailsValuesThatAreNotTheirType) {
    const auto out = run(R"(- id: r
  route:
    profile: Shipment
    value: {element: id}
    routes:
      - when: "1"
        steps: [{stop: {}}]
)",
                         {R"({"id": "one"})"});
    ASSERT_EQ(out.failures.size(), 1u);
    EXPECT_EQ(out.failures[0].error,
              "route: element 'id' holds 'one', which is not an integer (profile Shipment)");
}

// A message variable rewrites a typed date in another mask; numbers and text come as written.
TEST_F(TypedPaths, MessageRewritesDates) {
    const auto out = run(R"(- id: note
  message:
    profile: Shipment
    template: "{1} shipped {2}, {3} kg"
    variables:
      - {element: id}
      - {element: shipped, date: "yyyy-MM-dd"}
      - {element: weight}
)",
                         {R"({"id": 5, "shipped": "02/28/2026", "weight": 1.50})",
                          R"({"id": 6, "shipped": "02/30/2026", "weight": 1})"});
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].doc.data, "5 shipped 2026-02-28, 1.50 kg");
    ASSERT_EQ(out.failures.size(), 1u);
    EXPECT_EQ(out.failures[0].error,
              "message: element 'shipped' holds '02/30/2026', which is not a date written "
              "MM/dd/yyyy (profile Shipment)");
}

// Between two profiles a map rewrites dates from the source's mask to the target's, takes the
// output format, root and namespace from the target, and checks values against it.
TEST_F(TypedPaths, MapConvertsBetweenProfiles) {
    const auto out = run(R"(- map:
    profile: Shipment
    target_profile: Booking
    fields:
      - {to: "@ref", from: id}
      - {to: Shipped, from: shipped}
      - {to: Code, from: code}
      - to: Parcel
        each: parcels
        fields:
          - {to: Kg, from: kg}
          - {to: Sent, from: sent}
)",
                         {R"({"id": 42, "shipped": "12/24/2026", "code": "X-1",
                              "parcels": [{"kg": 2.5, "sent": "12/23/2026"}]})"});
    ASSERT_TRUE(out.ok) << out.error;
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].doc.data,
              R"(<Booking xmlns="urn:carrier" ref="42"><Shipped>2026-12-24</Shipped>)"
              R"(<Code>X-1</Code><Parcel><Kg>2.5</Kg><Sent>23.12.2026</Sent></Parcel></Booking>)");
}

// JSON output takes its types from the target profile: a number-like id becomes a string, a
// text number a number (written as JSON writes numbers), "1" a boolean, an empty value null;
// a value the target type cannot hold fails the document.
TEST_F(TypedPaths, MapTypesJsonOutputByTheTargetProfile) {
    const auto out = run(R"(- id: label
  map:
    profile: Booking
    target_profile: Label
    fields:
      - {to: ref, from: "@ref"}
      - {to: weight, from: Parcel/Kg}
      - {to: express, constant: "1"}
      - {to: day, from: Shipped}
      - {to: count, template: "{1}", variables: [{element: Code}]}
)",
                         {R"(<Booking xmlns="urn:carrier" ref="42"><Shipped>2026-12-24</Shipped>)"
                          R"(<Code></Code><Parcel><Kg> +.5 </Kg></Parcel></Booking>)",
                          R"(<Booking ref="43"><Shipped>2026-12-24</Shipped><Code>many</Code>)"
                          R"(<Parcel><Kg>1</Kg></Parcel></Booking>)"});
    ASSERT_EQ(out.outputs.size(), 1u);
    EXPECT_EQ(out.outputs[0].doc.data,
              R"({"ref":"42","weight":0.5,"express":true,"day":"20261224","count":null})");
    ASSERT_EQ(out.failures.size(), 1u);
    EXPECT_EQ(out.failures[0].error,
              "map: field 'count': 'many' is not an integer, as the target profile Label needs");
}

// A source value that is not what the source profile says fails the document.
TEST_F(TypedPaths, MapFailsSourceValuesThatAreNotTheirType) {
    const auto out = run(R"(- map:
    profile: Shipment
    target_profile: Booking
    fields:
      - {to: Shipped, from: shipped}
)",
                         {R"({"shipped": "24.12.2026"})"});
    ASSERT_EQ(out.failures.size(), 1u);
    EXPECT_EQ(out.failures[0].error,
              "map: field 'Shipped': the source 'shipped' holds '24.12.2026', which is not a date "
              "written MM/dd/yyyy (profile Shipment)");
}

// Every path is checked against its profile when the process loads, at its line and column,
// with what the profile has instead.
TEST_F(TypedPaths, PathsAreCheckedAtLoad) {
    const auto has = [&](const std::string& steps, const std::string& says) {
        const auto error = error_of(steps);
        EXPECT_NE(error.find(says), std::string::npos) << error;
    };
    has("- decision:\n    profile: Shipment\n    left: {element: shiped}\n    op: \"=\"\n"
        "    right: {static: x}\n",
        "p.yaml:6:21: element path 'shiped' is not in profile 'Shipment': the root has no "
        "element 'shiped' (it has id, shipped, weight, express, code, parcels)");
    has("- message:\n    profile: Shipment\n    template: \"{1}\"\n"
        "    variables: [{element: parcels}]\n",
        "element path 'parcels' reaches 'parcels', which holds elements, not a value");
    has("- message:\n    profile: Shipment\n    template: \"{1}\"\n"
        "    variables: [{element: parcels/kg/x}]\n",
        "'kg' has no element 'x' (it is a value without elements)");
    has("- message:\n    profile: Shipment\n    template: \"{1}\"\n"
        "    variables: [{element: weight, date: yyyy}]\n",
        "date rewrites a date, but 'weight' is a number in profile 'Shipment'");
    has("- message:\n    template: \"{1}\"\n    variables: [{element: shipped, date: yyyy}]\n",
        "add profile: NAME to the step");
    has("- message: {profile: Nope, template: x}\n", "profile 'Nope' is not there");
    has("- decision:\n    profile: Shipment\n    left: {element: shipped}\n    op: \">\"\n"
        "    right: {static: \"2026-01-01\"}\n",
        "p.yaml:8:12: the static value '2026-01-01' is not a date written MM/dd/yyyy, but it is "
        "compared with 'shipped', a date written MM/dd/yyyy in profile Shipment");
    has("- decision:\n    profile: Shipment\n    left: {element: shipped}\n    op: \">\"\n"
        "    right: {element: weight}\n",
        "compares a date written MM/dd/yyyy ('shipped') with a number ('weight')");
    has("- route:\n    profile: Shipment\n    value: {element: weight}\n    routes:\n"
        "      - {when: \"7\", steps: [{stop: {}}]}\n      - {when: \"7.00\", steps: [{stop: "
        "{}}]}\n",
        "the value '7.00' is routed twice");
    has("- route:\n    profile: Shipment\n    value: {element: id}\n    routes:\n"
        "      - {when: seven, steps: [{stop: {}}]}\n",
        "when 'seven' is not an integer, but the value 'id' is read as an integer");
    has("- map:\n    profile: Shipment\n    target_profile: Booking\n"
        "    fields: [{to: Shiped, from: shipped}]\n",
        "to path 'Shiped' is not in the target profile 'Booking': 'Booking' has no element "
        "'Shiped' (it has Shipped, Code, Parcel)");
    has("- map:\n    profile: Shipment\n    target_profile: Booking\n"
        "    fields: [{to: \"@ref\", constant: abc}]\n",
        "constant 'abc' is not an integer, but '@ref' is an integer in the target profile Booking");
    has("- map:\n    profile: Shipment\n    target_profile: Booking\n"
        "    fields: [{to: Shipped, from: shipped, date: {from: MM/dd/yyyy, to: dd.MM.yyyy}}]\n",
        "leave date out and the map converts between the profiles' masks");
    has("- map:\n    target_profile: Booking\n    output: json\n",
        "output is json but the target profile 'Booking' describes xml");
    has("- map:\n    profile: Shipment\n    output: json\n"
        "    fields: [{to: x, each: parcels, fields: [{to: y, from: weight}]}]\n",
        "from path 'weight' is not in profile 'Shipment': 'parcels' has no element 'weight' "
        "(it has kg, sent)");
    has("- map:\n    profile: Shipment\n    target_profile: Booking\n"
        "    fields: [{to: Parcel, from: code}]\n",
        "to path 'Parcel' is a structure in the target profile 'Booking'");
}

}  // namespace ferry::engine::test_steps
