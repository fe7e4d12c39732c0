# hci layer
