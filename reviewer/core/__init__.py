"""Plain-Python core: reading, querying and losslessly editing a content folder. Never imports Qt."""
