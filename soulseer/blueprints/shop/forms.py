"""The shop's forms. The rules (quantity, address, product fields) are the service's
(services/shop/buying.py, products.py); the hints say them."""

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectChoice, SelectField, StringField

from soulseer.services.shop import buying


class BuyForm(FlaskForm):
    request_key = HiddenField()
    quantity = SelectField("Quantity", choices=[SelectChoice(str(n)) for n in range(1, buying.QUANTITY_MAX + 1)])
    ship_name = StringField("Full name")
    ship_line1 = StringField("Street address")
    ship_line2 = StringField("Apartment, suite (optional)")
    ship_city = StringField("City")
    ship_region = StringField("State")
    ship_postal_code = StringField("ZIP code")
    ship_country = SelectField("Country")

    def address(self):
        return buying.Address(
            name=self.ship_name.data,
            line1=self.ship_line1.data,
            line2=self.ship_line2.data,
            city=self.ship_city.data,
            region=self.ship_region.data,
            postal_code=self.ship_postal_code.data,
            country=self.ship_country.data,
        )
