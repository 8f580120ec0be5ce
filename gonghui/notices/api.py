from ninja import Router

router = Router()
workdays_router = Router()
