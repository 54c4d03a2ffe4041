import types

import bilingual


def test_public_names_are_exactly_all():
    public = {
        name
        for name, value in vars(bilingual).items()
        if not name.startswith("_") and not isinstance(value, types.ModuleType)
    }
    assert public == set(bilingual.__all__)


def test_error_hierarchy():
    assert issubclass(bilingual.UnsupportedLanguageError, bilingual.BilingualError)
    assert issubclass(bilingual.UnsupportedLanguageError, ValueError)
    assert issubclass(bilingual.InputTooLargeError, ValueError)
    assert issubclass(bilingual.ModelNotAvailableError, bilingual.BilingualError)
    assert not issubclass(bilingual.ModelNotAvailableError, ValueError)
