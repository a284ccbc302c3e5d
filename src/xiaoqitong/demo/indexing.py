"""Search text for generated rows, computed in Python before the bulk insert.

The apps register how a model's ``search_text`` is built (``core.search.register``); those builders read
many-to-many values through ``instance.<relation>.all()``, which an unsaved instance does not have. A
:class:`Staged` instance answers them from the values the generator is about to insert, so the very same
builder runs and no row is written twice. Short parts (major, skill and county names) recur thousands of
times: their tokens are computed once (:class:`MemoTokenizer`).
"""

from django.db.models import Model

from xiaoqitong.core import search


class _Values:
    """What ``relation.all()`` returns: the items in their model's default order, as the database would."""

    def __init__(self, items):
        self.items = list(items)
        if self.items:
            ordering = self.items[0]._meta.ordering
            if ordering and not any(o.startswith("-") or "__" in o for o in ordering):
                self.items.sort(key=lambda o: tuple(getattr(o, name) for name in ordering))

    def all(self):
        return self.items


class Staged:
    """``obj`` as a search builder sees it once saved: ``pk`` set and the given relations filled."""

    def __init__(self, obj: Model, related: dict[str, list]):
        self._obj = obj
        self._related = related

    @property
    def pk(self):
        return self._obj.pk if self._obj.pk is not None else -1

    def __getattr__(self, name):
        if name in self._related:
            return _Values(self._related[name])
        return getattr(self._obj, name)


class MemoTokenizer:
    """The process's tokenizer, remembering the tokens of short texts and of the lines of long ones.

    A posting's description is made of template lines, many of which recur. jieba never joins words across a
    line break (it segments runs of letters and digits, and a line break ends a run), so the tokens of a text
    are those of its lines one after the other."""

    SHORT = 120

    def __init__(self, tokenizer):
        self.tokenizer = tokenizer
        self.cache: dict[str, list[str]] = {}

    def tokens(self, text: str) -> list[str]:
        if len(text) > self.SHORT:
            if "\n" not in text:
                return self.tokenizer.tokens(text)
            return [token for line in text.split("\n") for token in self.tokens(line)]
        tokens = self.cache.get(text)
        if tokens is None:
            tokens = self.cache[text] = self.tokenizer.tokens(text)
        return tokens


class Indexer:
    """``Indexer(Model).text(obj, relation=[...])``: the ``search_text`` the app's builder gives ``obj``
    (empty when the model is not indexed)."""

    def __init__(self, model: type[Model], tokenizer: MemoTokenizer | None = None):
        self.registration = search.registration_for(model)
        self.tokenizer = None
        if self.registration is not None:
            self.tokenizer = tokenizer or MemoTokenizer(search.get_tokenizer())

    def text(self, obj: Model, **related) -> str:
        if self.registration is None:
            return ""
        build = self.registration.build_text(Staged(obj, related))
        return " ".join(search.text_tokens(build, self.tokenizer))
