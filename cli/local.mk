# cli build rules
