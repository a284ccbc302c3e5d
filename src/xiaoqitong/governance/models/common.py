from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator

USER = settings.AUTH_USER_MODEL
YEAR = [MinValueValidator(2000), MaxValueValidator(2100)]
PERCENT = [MinValueValidator(0), MaxValueValidator(100)]
