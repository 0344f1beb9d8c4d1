/*
 * crystal-db: CPU features for the image (com.oracle.svm.core.amd64.AMD64LibCHelper).
 *
 * At start the image compares the features of this CPU with the ones it was compiled for
 * (-march=compatibility: the x86-64 baseline) and refuses to run on a CPU that lacks one, instead
 * of crashing on an illegal instruction later. CPUFeatures is a struct of one char per feature,
 * generated from the builder's own definition (amd64cpufeatures.h).
 */
#include <cpuid.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "amd64cpufeatures.h"

/* cpuid leaf 1 (EDX, ECX) and leaf 7 (EBX) bits; AVX also needs the OS to save its registers (XGETBV) */
static int has_os_avx_support(unsigned int ecx1) {
    if (!(ecx1 & bit_OSXSAVE)) {
        return 0;
    }
    unsigned int eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (eax & 0x6) == 0x6; /* XMM and YMM state enabled */
}

void determineCPUFeatures(CPUFeatures *features) {
    unsigned int eax, ebx, ecx, edx;
    memset(features, 0, sizeof *features);
    if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) {
        return;
    }
    features->fCX8 = (edx & bit_CMPXCHG8B) != 0;
    features->fCMOV = (edx & bit_CMOV) != 0;
    features->fFXSR = (edx & bit_FXSAVE) != 0;
    features->fHT = (edx & (1u << 28)) != 0;
    features->fMMX = (edx & bit_MMX) != 0;
    features->fSSE = (edx & bit_SSE) != 0;
    features->fSSE2 = (edx & bit_SSE2) != 0;
    features->fSSE3 = (ecx & bit_SSE3) != 0;
    features->fSSSE3 = (ecx & bit_SSSE3) != 0;
    features->fSSE4_1 = (ecx & bit_SSE4_1) != 0;
    features->fSSE4_2 = (ecx & bit_SSE4_2) != 0;
    features->fPOPCNT = (ecx & bit_POPCNT) != 0;
    features->fAES = (ecx & bit_AES) != 0;
    features->fCLMUL = (ecx & bit_PCLMUL) != 0;
    features->fF16C = (ecx & bit_F16C) != 0;
    int avx = (ecx & bit_AVX) && has_os_avx_support(ecx);
    features->fAVX = avx;
    features->fFMA = avx && (ecx & bit_FMA);
    if (__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) {
        features->fAVX2 = avx && (ebx & bit_AVX2);
        features->fBMI1 = (ebx & bit_BMI) != 0;
        features->fBMI2 = (ebx & bit_BMI2) != 0;
        features->fERMS = (ebx & (1u << 9)) != 0;
        features->fADX = (ebx & bit_ADX) != 0;
        features->fSHA = (ebx & bit_SHA) != 0;
    }
    if (__get_cpuid(0x80000001, &eax, &ebx, &ecx, &edx)) {
        features->fLZCNT = (ecx & bit_LZCNT) != 0;
        features->fAMD_3DNOW_PREFETCH = (ecx & bit_PRFCHW) != 0;
    }
}

/*
 * The build-time mask has one byte per feature: all bits set where the feature is optional,
 * bit 0 clear where the image needs it. 0 when this CPU has everything, 1 when it lacks something.
 */
int checkCPUFeatures(const uint8_t *buildtime_mask) {
    CPUFeatures host;
    determineCPUFeatures(&host);
    const uint8_t *present = (const uint8_t *) &host;
    for (size_t i = 0; i < sizeof host; i++) {
        if ((uint8_t) (buildtime_mask[i] | present[i]) != 0xFF) {
            return 1;
        }
    }
    return 0;
}

int checkCPUFeaturesOrExit(const uint8_t *buildtime_mask, const char *error_message) {
    if (checkCPUFeatures(buildtime_mask)) {
        fputs(error_message, stderr);
        exit(1);
    }
    return 0;
}
