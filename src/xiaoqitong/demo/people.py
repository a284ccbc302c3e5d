"""Chinese personal names and mobile numbers for generated students and teachers (demo material)."""

import bisect
import itertools
import random

from . import names as N

_MALE = list(dict.fromkeys(N.GIVEN_MALE))
_FEMALE = list(dict.fromkeys(N.GIVEN_FEMALE))
_EITHER = list(dict.fromkeys(N.GIVEN_EITHER))


class NameMaker:
    """A surname drawn by frequency, then one or (mostly) two given-name characters fitting the gender."""

    def __init__(self):
        surnames, weights = zip(*N.SURNAMES, strict=True)
        self.surnames = surnames
        self.cum = list(itertools.accumulate(weights))

    def surname(self, rng: random.Random) -> str:
        return self.surnames[bisect.bisect_right(self.cum, rng.random() * self.cum[-1])]

    def __call__(self, rng: random.Random, gender: str) -> str:
        own = _FEMALE if gender == "female" else _MALE

        def char() -> str:
            return rng.choice(own if rng.random() < 0.75 else _EITHER)

        first = char()
        if rng.random() < 0.15:
            return self.surname(rng) + first
        second = char()
        while second == first:
            second = char()
        return self.surname(rng) + first + second


def mobile(rng: random.Random) -> str:
    """An eleven-digit mobile number with a real carrier prefix (generated: it reaches nobody known)."""
    return f"{rng.choice(N.MOBILE_PREFIXES)}{rng.randint(0, 99_999_999):08d}"
