"""Order exports: parameters, the export handle, the download and the rows of the exported CSV."""
