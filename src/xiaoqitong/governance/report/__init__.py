"""The pieces of the annual quality report (R3): ``data`` collects every figure the report states into plain
JSON, ``svg`` draws its charts, ``render`` turns the data into HTML, ``pdf`` prints that HTML with a CJK font
and ``xlsx`` writes the annex (one sheet per table). Only ``data`` reads the database: everything after it
reads the stored data, so that a version can be rendered again exactly."""
