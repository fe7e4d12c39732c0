# prov layer
