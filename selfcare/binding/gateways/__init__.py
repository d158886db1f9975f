"""SMS gateways behind `selfcare.binding.sms.SmsGateway`, one small module each, chosen by `SMS_BACKEND`."""
