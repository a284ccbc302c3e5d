"""Regions for forms and filters: the platform's city first."""


def test_work_areas_put_the_city_first(reference_data, db, settings):
    from xiaoqitong.reference.models import work_areas

    settings.XQT_CITY_CODE = "431000"
    codes = list(work_areas().values_list("code", flat=True))
    local = [c for c in codes if c.startswith("4310")]
    assert codes[: len(local)] == local and len(local) == 13  # 11 counties and 2 parks, first
    assert local[-2:] == ["431000P01", "431000P02"]
    assert codes[len(local) :] == sorted(codes[len(local) :])
    settings.XQT_CITY_CODE = "110000"
    assert work_areas().values_list("code", flat=True).first().startswith("1101")
