"""E-mail through Flask-Mailman: ``setup`` maps kamscore's mail settings onto it, ``backends``
holds kamscore's two backend refinements, ``sending`` the mailer the services are given."""
