package dev.tollgate.intake.ledger;

import dev.tollgate.ledger.model.HeldCallView;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The calls held for approval, looked up by (runId, callId) or by (tenant, callId) with every candidate (a callId is
 * unique within its run only, so an approval addressed by callId alone must not pick one of several). Recent held
 * calls come from intake's window of the ledger, older ones from the projector's {@code held-call-store}; where both
 * know a call, the one with the later event wins.
 */
public final class HeldCallIndex {

    private final LedgerWatcher ledger;
    private final ProjectorLookup projector;

    public HeldCallIndex(LedgerWatcher ledger, ProjectorLookup projector) {
        this.ledger = ledger;
        this.projector = projector;
    }

    /**
     * Every call held with {@code callId} in {@code tenantId}, pending or decided, in runId order.
     *
     * @throws ProjectorLookup.Unavailable when the projector is configured and cannot answer: without it the list
     *                                     could miss a candidate
     */
    public List<HeldCallView> byTenant(String tenantId, String callId, String authorization) {
        Map<String, HeldCallView> byRun = new LinkedHashMap<>();
        if (projector.configured()) {
            for (HeldCallView held : projector.heldCalls(callId, null, authorization)) {
                if (held.tenantId().equals(tenantId)) {
                    byRun.put(held.runId(), held);
                }
            }
        }
        for (HeldCallView recent : ledger.heldCalls(tenantId, callId)) {
            byRun.merge(recent.runId(), recent, HeldCallIndex::later);
        }
        List<HeldCallView> out = new ArrayList<>(byRun.values());
        out.sort((a, b) -> a.runId().compareTo(b.runId()));
        return out;
    }

    /**
     * The call held with {@code callId} in run {@code runId}, pending or decided.
     *
     * @throws ProjectorLookup.Unavailable when it is not in the recent window and the projector cannot answer
     */
    public Optional<HeldCallView> byRun(String runId, String callId, String authorization) {
        Optional<HeldCallView> recent = ledger.heldCall(runId, callId);
        if (recent.isPresent() || !projector.configured()) {
            return recent;
        }
        return projector.heldCalls(callId, runId, authorization).stream()
                .filter(h -> h.runId().equals(runId)).findFirst();
    }

    private static HeldCallView later(HeldCallView a, HeldCallView b) {
        return b.lastSeq() >= a.lastSeq() ? b : a;
    }
}
