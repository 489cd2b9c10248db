-- wrk script: POST one Pyze event (the shipped sample's first event, with the sandbox's app key).
wrk.method = "POST"
wrk.path = "/pyze/v1/events"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"type":"event","event":"test-event","userId":"Username","eventTime":"2020-06-03T17:03:48-07:00",' ..
           '"attributes":{"key":"value"},"appKey":"sandbox-pyze-app-key","messageId":"302cf144-b18a-8032-b0eb-72e7c9138a94"}'
