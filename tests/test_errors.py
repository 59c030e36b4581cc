from bimokit.errors import BimokitError, InputError


def test_input_error_names_file_line_and_field():
    err = InputError("expected a number", path="a.csv", line=3, field="value")
    assert str(err) == "a.csv, line 3, field value: expected a number"
    assert isinstance(err, ValueError) and isinstance(err, BimokitError)
    assert (err.path, err.line, err.field) == ("a.csv", 3, "value")


def test_input_error_without_location_is_just_the_message():
    assert str(InputError("empty file")) == "empty file"
